"""Every database of the stack is covered by an AWS Backup selection (a stack policy joining RDS instances and
clusters with the selections' resources and tag conditions)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import RDS_INSTANCE, RDS_INSTANCE_PROPS, changed
from tests.policies.harness import UNKNOWN, Pack, Resource

SELECTION = "aws:backup/selection:Selection"
CLUSTER = "aws:rds/cluster:Cluster"
COVER = "aws-backup-selection-require-database-coverage"
DB_ARN = "arn:aws:rds:eu-west-1:111122223333:db:app-db"


def database(**changes: Any) -> Resource:
    return Resource(RDS_INSTANCE, "db", changed(RDS_INSTANCE_PROPS, **changes), protect=True)


def selection(db: Resource | None, **props: Any) -> Resource:
    base = {"planId": UNKNOWN, "iamRoleArn": UNKNOWN, "name": "db"}
    if db is not None:
        base["resources"] = [UNKNOWN]
    return Resource(SELECTION, "sel", {**base, **props}, deps={"resources": [db]} if db is not None else {})


def cover_diags(pack: Pack, resources: list[Resource]) -> list[Any]:
    return [d for d in pack.analyze_stack(resources) if d.policy == COVER]


def test_a_database_selected_by_its_computed_arn_is_covered(pack: Pack) -> None:
    db = database()
    assert cover_diags(pack, [db, selection(db)]) == []


@pytest.mark.parametrize(
    "props",
    [
        {"resources": [DB_ARN]},
        {"resources": ["*"]},
        {"resources": ["arn:aws:rds:*:*:db:*"]},
        {"resources": ["arn:aws:rds:eu-west-1:111122223333:db:app-*"]},
        {"selectionTags": [{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]},
    ],
)
def test_literal_arns_wildcards_and_tags_cover_too(pack: Pack, props: dict[str, Any]) -> None:
    db = database(arn=DB_ARN, tags={"backup": "daily"})
    assert cover_diags(pack, [db, selection(None, **props)]) == []


@pytest.mark.parametrize(
    "resources",
    [
        lambda db: [db],  # no selection at all
        lambda db: [db, selection(None, resources=["arn:aws:rds:eu-west-1:111122223333:db:other"])],
        lambda db: [db, selection(None, resources=["arn:aws:rds:*:*:cluster:*"])],
        lambda db: [db, selection(None, resources=[UNKNOWN])],  # computed from something else
        lambda db: [db, selection(None, selectionTags=[{"type": "STRINGEQUALS", "key": "backup", "value": "no"}])],
        lambda db: [db, selection(None)],
    ],
)
def test_an_uncovered_database_is_one_violation(pack: Pack, resources: Any) -> None:
    db = database(arn=DB_ARN, tags={"backup": "daily"})
    diags = cover_diags(pack, resources(db))
    assert len(diags) == 1
    assert diags[0].urn == db.urn
    assert "no AWS Backup selection in this stack covers this database" in diags[0].message


def test_clusters_are_databases_too(pack: Pack) -> None:
    cluster = Resource(CLUSTER, "cluster", {"engine": "aurora-postgresql"})
    assert len(cover_diags(pack, [cluster])) == 1
    assert cover_diags(pack, [cluster, selection(None, resources=["arn:aws:rds:*:*:cluster:*"])]) == []


def test_garbage_never_raises(pack: Pack) -> None:
    db = database(arn=UNKNOWN, tags=UNKNOWN)
    diags = cover_diags(pack, [db, selection(None, resources=UNKNOWN, selectionTags=[None, 3, {"type": UNKNOWN}])])
    assert [d.message for d in diags if "could not evaluate" in d.message] == []
