"""AWS Backup selections (`aws:backup/selection:Selection`) and the stack join that every database is covered.

A database (RDS instance or cluster) is covered by a selection whose `resources` holds an entry computed from
it (a property dependency, e.g. `instance.arn`), its known ARN literally, or a wildcard that matches every RDS
database (`*`, `arn:<partition>:rds:*:*:db:*`), or whose `selectionTags` (STRINGEQUALS) match the database's
tags. Absent inputs: `resources` and `selectionTags` none (the selection covers nothing).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from ...common import (
    BACKUP_SELECTION,
    RDS_CLUSTER,
    RDS_INSTANCE,
    Family,
    StackIndex,
    as_list,
    as_str,
    get,
    is_unknown,
    stack_policy,
)
from ...refs import ckv

_about = Family("aws-backup-selection", ("aws", "backup", "backup-selection")).about


def covers(index: StackIndex, selection: PolicyResource, database: PolicyResource) -> bool:
    """Whether `selection` selects `database`."""
    if any(dep.urn == database.urn for dep in index.property_deps(selection, "resources")):
        return True
    arn = as_str(get(database.props, "arn"))
    entries = as_list(get(selection.props, "resources"))
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, str) or is_unknown(entry):
            continue
        if entry == "*" or (isinstance(arn, str) and not is_unknown(arn) and fnmatch.fnmatchcase(arn, entry)):
            return True
        kind = "cluster" if database.resource_type == RDS_CLUSTER else "db"
        if re.fullmatch(rf"arn:aws[a-z-]*:rds:[a-z0-9*-]*:[0-9*]*:{kind}:\*", entry):
            return True  # every database of that kind (of a region or account)
    tags = as_list(get(selection.props, "selectionTags"))
    for condition in tags if isinstance(tags, list) else []:
        kind, key, value = (as_str(get(condition, part)) for part in ("type", "key", "value"))
        if (isinstance(kind, str) and kind.upper() == "STRINGEQUALS" and isinstance(key, str)
                and get(database.props, "tags", key) == value):
            return True
    return False


def _every_database_covered(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    selections = index.of_type(BACKUP_SELECTION)
    for database in index.of_type(RDS_INSTANCE, RDS_CLUSTER):
        if not any(covers(index, selection, database) for selection in selections):
            yield (
                f"{database.name}: no AWS Backup selection in this stack covers this database, so it has no "
                "vault-held recovery points (no cross-region copy, no vault lock, no restore testing).",
                database.urn,
            )


RESOURCE_TYPE = BACKUP_SELECTION
"""The resource type this module's policies are about (the stack join reports on the databases)."""

POLICIES = [
    stack_policy(
        _about(
            "require-database-coverage",
            description="Every RDS instance and cluster of the stack must be covered by an AWS Backup selection "
            "(its resources name the database, or its tag conditions match it).",
            refs=(ckv("CKV2_AWS_8"),),
            control="every database is covered by a backup selection",
            severity=Severity.HIGH,
            remediation="Add an `aws.backup.Selection` of a backup plan with `resources=[instance.arn]` (the "
            "DatabaseBackup component does).",
            tags=("data-loss",),
            url="https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html",
        ),
        _every_database_covered,
    ),
]
