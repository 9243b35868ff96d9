"""The backup writer cannot destroy what it wrote: each case of `writer_permissions.CASES` (put-new, overwrite,
delete, delete-version, lifecycle and policy changes, the key) is evaluated with ops.iam against the planned prod
bucket policy, the writer's identity policies and the boundary, and docs/backups.md carries the rendered table."""

from __future__ import annotations

import json
import re

import pytest

from components.backup_storage.component import backup_bucket_policy
from ops.iam import Policy, PolicyKind
from tests.components.backup_storage.writer_permissions import (
    ADMIN,
    BUCKET,
    CASES,
    CREATE,
    DUMP,
    IF_ABSENT,
    STAGE,
    TLS,
    WRITER,
    Case,
    Documents,
    render_table,
)
from tests.support.plans import PlanView
from tests.support.stacks import ROOT

DOC = ROOT / "docs" / "backups.md"
START, END = "<!-- writer-permissions:start -->", "<!-- writer-permissions:end -->"


@pytest.fixture(scope="module")
def documents(prod: PlanView) -> Documents:
    return Documents.of(prod)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.title)
def test_each_case_has_its_required_outcome(documents: Documents, case: Case) -> None:
    decision = documents.decide(case)
    assert not decision.unknown, decision.explain()
    assert decision.allowed is case.allowed, decision.explain()


def test_the_cases_cover_put_overwrite_delete_and_configuration_changes() -> None:
    actions = {(c.action, c.allowed) for c in CASES if c.principal is WRITER}
    assert {("s3:PutObject", True), ("s3:PutObject", False), ("s3:DeleteObject", False),
            ("s3:DeleteObjectVersion", False), ("s3:PutLifecycleConfiguration", False),
            ("s3:PutBucketPolicy", False), ("s3:DeleteBucketPolicy", False),
            ("s3:PutBucketVersioning", False)} <= actions


def test_overwrites_are_denied_by_the_bucket_policy_not_only_by_the_writers_policy(documents: Documents) -> None:
    """The bucket policy alone refuses an unconditional create, for the writer and an administrator alike; a role
    whose own policy says s3:* is no way around it."""
    for principal in (WRITER, ADMIN):
        case = Case("unconditional create", False, "s3:PutObject", DUMP, {**TLS, **CREATE}, principal=principal)
        decision = documents.decide(case)
        assert decision.outcome.value == "explicit-deny", decision.explain()
        assert {s.sid for s in decision.statements} == {"DenyObjectCreationWithoutIfNoneMatch"}


def test_the_multipart_steps_without_a_header_stay_possible_and_only_they(documents: Documents) -> None:
    staged = documents.decide(Case("stage", True, "s3:PutObject", DUMP, {**TLS, **STAGE}))
    assert staged.allowed, staged.explain()
    # A request that says nothing about creation (no s3:ObjectCreationOperation) is not a way around the header.
    bare = documents.decide(Case("bare", False, "s3:PutObject", DUMP, dict(TLS)))
    assert bare.denied, bare.explain()


def test_the_writer_is_denied_everything_but_writes_whatever_its_own_policy_says(documents: Documents) -> None:
    everything = Policy.parse({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, name="s3-star", kind=PolicyKind.IDENTITY)
    widened = Documents(documents.bucket_policy, documents.key_policy, (everything,), documents.boundary)
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration", "s3:GetObject",
                   "s3:PutBucketPolicy"):
        resource = DUMP if "Object" in action else BUCKET
        decision = widened.decide(Case(action, False, action, resource, TLS))
        assert decision.outcome.value == "explicit-deny", decision.explain()
    created = widened.decide(Case("create", True, "s3:PutObject", DUMP, {**TLS, **CREATE, **IF_ABSENT}))
    assert created.allowed, created.explain()


def test_an_upload_relying_on_the_default_encryption_is_not_refused() -> None:
    """In a Deny, `StringNotEqualsIfExists` matches an absent header: the bucket policy would refuse every upload
    that relies on the bucket's default encryption (the documented upload sends no encryption header)."""
    policy = json.loads(backup_bucket_policy(BUCKET, WRITER.role_arn or ""))
    operators = {op for s in policy["Statement"] for op in s.get("Condition", {})}
    assert not [op for op in operators if op.endswith("IfExists")]


def test_the_page_shows_the_current_table(documents: Documents) -> None:
    text = DOC.read_text()
    found = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.DOTALL)
    assert found, f"docs/backups.md needs the {START} and {END} markers"
    assert found.group(1) == render_table(documents), (
        "docs/backups.md's writer-permissions table is stale: run `.venv/bin/python -m tests.components."
        "backup_storage.writer_permissions` and paste its output between the markers")
