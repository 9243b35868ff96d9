"""Every identity a GitHub Actions job can assume, built from the plans: the prod and preview stacks and the
bootstrap of each sample account (and of an acknowledged shared account).

No OIDC subject is trusted by two AWS roles (or two Azure identities); the app's own environment `<stack>`
reaches the app's role only, never an infrastructure role; no role trusts a branch, a pull request or a
wildcard. docs/workflows.md's identity table is this table (`python -m tests.delivery.test_identities` prints it).
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from components.aws.github_oidc import GITHUB_OIDC_HOST, SUB_KEY
from tests.components.state_backend.plans import bootstrap_plan
from tests.support.cli import run_plan
from tests.support.stacks import ROOT

PAGE = ROOT / "docs" / "workflows.md"
STACKS = ("preview", "prod")
TABLE = re.compile(r"<!-- identities:start[^>]*-->\n(.*?)<!-- identities:end -->", re.DOTALL)
INFRA_ROLE = re.compile(r"platform-infra-")

# What each identity may do, by the name it has in every stack (the stack's prefix removed).
MAY_DO = {
    "github-actions": "the app's workflows: connect through RDS Proxy as the app user (`rds-db:connect`), read the "
    "app's SSM parameters; nothing of the infrastructure",
    "backup-offsite-copy": "list and read the backup bucket's dump prefixes (and decrypt them through S3); no "
    "write, no delete",
    "offsite-backups-github": "read, write and add blobs in the off-site container (a custom role); no delete of "
    "blobs, versions or the container",
    "platform-infra-deploy": "`pulumi up` of this stack: PowerUserAccess, IAM only under `platform-<stack>-` and "
    "only with the permissions boundary, the state read/write; no state-version delete, no role chaining",
    "platform-infra-readonly": "`ops drift` (refresh previews): read every resource's configuration and the "
    "state; no data reads (objects, secrets, parameters, messages), no writes",
}


@dataclass(frozen=True, order=True)
class Identity:
    subject: str
    cloud: str
    name: str
    plan: str

    @property
    def kind(self) -> str:
        if self.name.startswith("platform-infra-deploy-"):
            return "platform-infra-deploy"
        return re.sub(r"^platform-(preview|prod)-", "", self.name)


def _subjects(policy: Any) -> list[str]:
    document = json.loads(policy) if isinstance(policy, str) else policy
    subjects: list[str] = []
    for statement in document.get("Statement", []):
        federated = statement.get("Principal", {}).get("Federated", "")
        if GITHUB_OIDC_HOST not in str(federated):
            continue
        for operator, conditions in statement.get("Condition", {}).items():
            value = conditions.get(SUB_KEY)
            if value is not None:
                assert operator == "StringEquals", f"a GitHub subject must be matched exactly, not by {operator}"
                subjects += [value] if isinstance(value, str) else list(value)
    return subjects


def identities_of(document: dict[str, Any], plan: str) -> list[Identity]:
    found = []
    for resource in document["resources"]:
        inputs = resource.get("inputs") or {}
        if resource["type"] == "aws:iam/role:Role":
            name = inputs.get("name") or resource["name"]
            found += [Identity(s, "AWS role", name, plan) for s in _subjects(inputs.get("assumeRolePolicy", "{}"))]
        elif resource["type"] == "azure-native:managedidentity:FederatedIdentityCredential":
            found.append(Identity(inputs["subject"], "Azure identity", resource["name"], plan))
    return found


@cache
def main_plan(stack: str) -> dict[str, Any]:
    workdir = Path(mkdtemp(prefix=f"identities-{stack}-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)  # the plan is cached for the session
    run = run_plan(workdir, stack=stack)
    assert run.code == 0, run.stderr
    return run.doc


def all_identities() -> list[Identity]:
    found = []
    for stack in STACKS:
        found += identities_of(main_plan(stack), f"stack {stack}")
    for account in ("prod", "preview", "shared"):
        run = bootstrap_plan(account)
        assert run.code == 0, run.stderr
        found += identities_of(run.doc, f"bootstrap ({account} account)")
    return sorted(set(found))


def render(identities: list[Identity]) -> str:
    rows = ["| OIDC subject (`repo:<repository>:...`) | identity | from | what it may do |", "|---|---|---|---|"]
    seen = set()
    for identity in identities:
        if identity.plan == "bootstrap (shared account)":
            continue  # the same roles as the two accounts' bootstraps, in one account
        key = (identity.subject, identity.cloud, identity.name)
        if key in seen:
            continue
        seen.add(key)
        subject = identity.subject.split(":", 2)[2]
        rows.append(f"| `{subject}` | {identity.cloud} `{identity.name}` | {identity.plan} | "
                    f"{MAY_DO[identity.kind]} |")
    return "\n".join(rows) + "\n"


def test_no_subject_is_trusted_by_two_identities_of_one_cloud() -> None:
    # Per account: each sample account's bootstrap with the stack it hosts, and the shared account with both.
    accounts = {
        "prod": ("stack prod", "bootstrap (prod account)"),
        "preview": ("stack preview", "bootstrap (preview account)"),
        "shared": ("stack prod", "stack preview", "bootstrap (shared account)"),
    }
    identities = all_identities()
    for account, plans in accounts.items():
        trusted: dict[tuple[str, str], set[str]] = defaultdict(set)
        for identity in identities:
            if identity.plan in plans:
                trusted[identity.subject, identity.cloud].add(identity.name)
        shared = {key: names for key, names in trusted.items() if len(names) > 1}
        assert not shared, f"{account} account: subjects trusted by more than one identity: {shared}"


def test_the_apps_environment_reaches_the_apps_role_only() -> None:
    for identity in all_identities():
        environment = identity.subject.rsplit(":environment:", 1)[-1]
        if environment in STACKS:
            assert identity.name == f"platform-{environment}-github-actions", identity
        if INFRA_ROLE.match(identity.name):
            assert environment.startswith(("infra-", "infra-drift-")), identity


def test_no_identity_trusts_a_branch_a_pull_request_or_a_pattern() -> None:
    identities = all_identities()
    assert identities, "no GitHub identity found: the plans or the reader changed"
    for identity in identities:
        assert ":environment:" in identity.subject, identity
        assert not re.search(r"[*?]", identity.subject), identity


def test_every_identity_says_what_it_may_do_and_the_page_shows_the_table() -> None:
    identities = all_identities()
    assert {identity.kind for identity in identities} == set(MAY_DO)
    match = TABLE.search(PAGE.read_text())
    assert match is not None, "docs/workflows.md has no identities markers"
    assert match.group(1) == render(identities), "stale: python -m tests.delivery.test_identities prints the table"


if __name__ == "__main__":
    print(render(all_identities()), end="")
