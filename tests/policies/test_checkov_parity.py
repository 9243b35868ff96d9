"""The Checkov parity table (policies/checkov/parity.yaml) against the pinned Checkov wheel and the pack.

The wheel comes from `make checkov-wheel` (.cache/checkov/). Locally a missing wheel skips with the command to run;
in CI (CI=true) it fails: the table must never go unchecked there.
"""

from __future__ import annotations

import os
import re
import zipfile

import pytest

from docgen.markers import blocks, frame
from tests.policies.harness import Pack
from tests.support.plans import PlanView

from baseline import checkov_parity as cp  # isort: skip
from baseline.common import CATALOG  # isort: skip

CHECK_ID = re.compile(r"CKV2?_[A-Z]+_\d+")


@pytest.fixture(scope="module")
def checks() -> dict[str, cp.Check]:
    wheel = cp.wheel_path()
    if not wheel.exists():
        message = f"{wheel} is missing: run `make checkov-wheel`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return cp.read_checks(wheel)


@pytest.fixture(scope="module")
def planned_types(stack_plans: dict[str, PlanView]) -> set[str]:
    return {r.type for plan in stack_plans.values() for r in plan.custom}


@pytest.fixture(scope="module")
def planned_terraform(planned_types: set[str]) -> set[str]:
    mapping = cp.type_map()
    return {t for token in planned_types if (t := mapping.get(token))}


def test_every_planned_resource_type_has_a_terraform_mapping(planned_types: set[str]) -> None:
    mapping = cp.type_map()
    missing = sorted(planned_types - set(mapping))
    assert not missing, f"add to policies/checkov/types.yaml: {missing}"
    assert all(mapping[t] for t in planned_types), "a planned custom resource maps to no Terraform type"


def test_mapping_is_the_bridged_provider_naming() -> None:
    """Bridged tokens `<pkg>:<module>/<name>:<Name>` name a Terraform type `<pkg>_..._<name snake>`."""
    for token, terraform in cp.type_map().items():
        assert terraform, token
        package = token.split(":", 1)[0]
        if package == "azure-native":
            assert terraform.startswith("azurerm_"), token
            continue
        assert terraform.startswith(f"{package}_"), token
        name = token.rsplit(":", 1)[1]
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        assert terraform.endswith(snake.split("_")[-1]), (token, terraform)


def test_the_wheel_is_the_pinned_version(checks: dict[str, cp.Check]) -> None:
    with zipfile.ZipFile(cp.wheel_path()) as wheel:
        metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        assert f"\nVersion: {cp.checkov_version()}\n" in wheel.read(metadata).decode()
    assert len(checks) > 800  # the reader saw the whole catalogue, resource and graph checks alike
    assert {"CKV_AWS_16", "CKV2_AWS_69", "CKV_AWS_24"} <= set(checks)


def test_reader_follows_abstract_bases_and_graph_filters(checks: dict[str, cp.Check]) -> None:
    # CKV_AWS_24 declares only check_id/port; its supported_resources live in AbsSecurityGroupUnrestrictedIngress.
    assert "aws_vpc_security_group_ingress_rule" in checks["CKV_AWS_24"].types
    # CKV2_AWS_7 reads aws_security_group through a connection but is filtered to EMR clusters.
    assert checks["CKV2_AWS_7"].types == {"aws_emr_cluster"}
    assert checks["CKV_AWS_16"].types == {"aws_db_instance"}


def test_table_covers_exactly_the_checks_of_the_planned_types(
    checks: dict[str, cp.Check], planned_terraform: set[str]
) -> None:
    expected = cp.applicable(checks, planned_terraform)
    rows = cp.parity_rows()
    missing = {cid: c for cid, c in expected.items() if cid not in rows}
    template = "\n".join(
        f"  {cid}:  # {c.name}\n    types: {sorted(c.types & planned_terraform)}\n    policy: <name> | reason: <why>"
        for cid, c in missing.items()
    )
    assert not missing, f"policies/checkov/parity.yaml lacks rows:\n{template}"
    stale = sorted(set(rows) - set(expected))
    assert not stale, f"rows for checks that no planned type has (in Checkov {cp.checkov_version()}): {stale}"
    for cid, row in rows.items():
        assert sorted(row["types"]) == sorted(expected[cid].types & planned_terraform), cid


def test_every_row_has_a_policy_or_a_reason() -> None:
    for cid, row in cp.parity_rows().items():
        assert CHECK_ID.fullmatch(cid), cid
        assert set(row) in ({"types", "policy"}, {"types", "reason"}), cid
        if "reason" in row:
            assert len(row["reason"].split()) >= 8, f"{cid}: say why it does not apply"


def test_implemented_checks_are_cited_by_their_policy() -> None:
    policies = {p.name: p for p in Pack().info.policies}
    for cid, row in cp.parity_rows().items():
        name = row.get("policy")
        if name is None:
            continue
        assert name in policies, f"{cid}: no policy {name}"
        p = policies[name]
        cited = cid == p.framework.reference or cid in p.tags or cid in p.description
        assert cited, f"{name} does not name {cid} in its framework, tags or description"
        assert any(r.control == cid for r in CATALOG[name].refs), f"{name}: add ckv({cid!r}) to its refs"


def test_policy_pack_doc_summary_is_the_generated_one() -> None:
    text = cp.DOC.read_text()
    found = [block for block in blocks(text, "docs/policy-pack.md") if block.kind == "checkov-parity"]
    assert len(found) == 1, "docs/policy-pack.md needs exactly one generated:checkov-parity block"
    assert found[0].body(text) == frame(cp.summary()), "run: python -m docgen --write"
