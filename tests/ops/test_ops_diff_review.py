"""`ops diff` as a reviewer meets it: the changes the issue's reviewer tried, each planned for real and compared
with the repository's prod plan; and the replace table that decides them, checked against the pinned SDKs."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.changes import HOLDS, HOSTS, PROTECTIVE, REPLACE_TABLE, compare, types_needing_replace_facts
from ops.reports.diagram import DATA_PATHS, mermaid
from tests.support.cli import REPO, PlanRun, run_plan


@pytest.fixture(scope="module")
def prod_base(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    run = run_plan(tmp_path_factory.mktemp("base"), stack="prod")
    assert run.code == 0, run.stderr
    return run


def _head(tmp: Path, change: dict[str, dict[str, Any]]) -> PlanRun:
    data = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())
    for key, values in change.items():
        data["config"][key] = {**data["config"].get(key, {}), **values}
    stack_file = tmp / "Pulumi.prod.yaml"
    stack_file.write_text(yaml.safe_dump(data))
    run = run_plan(tmp, "--config", str(stack_file), stack="prod")
    assert run.code == 0, run.stderr
    return run


def _diff(base: PlanRun, head: PlanRun, tmp: Path) -> tuple[int, list[str], dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "ops", "diff", str(base.json_path), str(head.json_path), "--json",
         str(tmp / "diff.json")],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )
    return out.returncode, out.stdout.splitlines(), json.loads((tmp / "diff.json").read_text())


def _attention(lines: list[str]) -> list[str]:
    out = []
    for line in lines[lines.index("Needs attention:") + 1:]:
        if not line.startswith("  ["):
            break
        out.append(line.strip())
    return out


def test_changing_the_prod_vpc_cidr_needs_attention(prod_base: PlanRun, tmp_path: Path) -> None:
    head = _head(tmp_path, {"platform:network": {
        "cidr_block": "10.50.0.0/16", "app_subnet_cidrs": ["10.50.128.0/20", "10.50.144.0/20", "10.50.160.0/20"]}})
    code, lines, document = _diff(prod_base, head, tmp_path)
    assert code == 1  # docs/planner.md: exit 1 when something needs attention
    attention = _attention(lines)
    keys = "(config keys: platform:network.app_subnet_cidrs, platform:network.cidr_block)"
    # What can be lost first: the database at risk before the cache lost (a cache refills).
    assert attention[0].startswith(
        "[data at risk] stateful aws:rds/instance:Instance postgres-instance sits on "
        "aws:rds/subnetGroup:SubnetGroup postgres-subnets (changed), aws:ec2/securityGroup:SecurityGroup "
        "network-database (replaced)")
    assert attention[0].endswith(keys)
    assert attention[1].startswith(
        "[DATA LOSS] stateful aws:elasticache/serverlessCache:ServerlessCache cache-cache is replaced because its "
        "subnetIds input is set from aws:ec2/subnet:Subnet network-private-")
    # The proxy's new endpoint breaks the app's connection string: a line of its own, not a count on the subnets'.
    assert attention[2].startswith("[replacement] aws:rds/proxy:Proxy postgres-proxy is replaced because ")
    assert "its endpoint changes (a new DNS name): the app's connection string names the old one" in attention[2]
    # The route tables, the default security group and every security group rule take the VPC's ids in a
    # replace-forcing input (vpc_id, security_group_id): replaced with it, not "changed" (the review's 42 changed).
    assert attention[3] == (
        "[replacement] aws:ec2/vpc:Vpc network-vpc is replaced because cidrBlock changed; 25 more that take its ids "
        "are replaced with it (7 aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule, 5 aws:ec2/routeTable:"
        "RouteTable, 5 aws:ec2/securityGroup:SecurityGroup, 5 aws:vpc/securityGroupIngressRule:"
        "SecurityGroupIngressRule, 1 aws:ec2/defaultSecurityGroup:DefaultSecurityGroup, 1 aws:ec2/flowLog:FlowLog, "
        "1 aws:ec2/route:Route) (config key: platform:network.cidr_block)")
    assert attention[4].startswith("[replacement] 9 aws:ec2/subnet:Subnet (network-app-0, ")
    assert "are replaced because cidrBlock changed" in attention[4]
    assert "(9 aws:ec2/routeTableAssociation:RouteTableAssociation, 3 aws:ec2/natGateway:NatGateway, " in attention[4]
    assert "Summary: 0 added, 0 removed, 12 changed, 54 replaced;" in "\n".join(lines)
    network_types = {"aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation",
                     "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
                     "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                     "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"}
    kinds = {(c["type"], c["kind"]) for c in document["changes"] if c["type"] in network_types}
    assert kinds == {(t, "replace") for t in network_types}
    assert attention[4].endswith(keys)
    # Per-hour charges start again on the new NAT gateways: a purchase the monthly delta (zero) cannot show.
    assert any(line.startswith("[purchase] bought again (replaced): 3 NAT gateways: billed every hour")
               for line in attention)
    assert any(line.startswith("! [per-hour] bought again (replaced): 3 NAT gateways") for line in
               (x.strip() for x in lines))
    replaced = {c["name"] for c in document["changes"] if c["kind"] == "replace"}
    assert {"network-vpc", "network-private-0", "network-private-1", "network-private-2", "cache-cache"} <= replaced
    assert document["attention"][0]["severity"] == "data-at-risk"
    assert document["attention"][0]["config_keys"] == ["platform:network.app_subnet_cidrs",
                                                       "platform:network.cidr_block"]


def test_renaming_the_prod_zone_needs_attention(prod_base: PlanRun, tmp_path: Path) -> None:
    # The hosts the stack calls stay where they are, declared external to the renamed zone (the cross-check).
    head = _head(tmp_path, {"platform:edge": {"domain": "example.org", "external_hosts": ["app.example.com"]}})
    code, lines, document = _diff(prod_base, head, tmp_path)
    assert code == 1
    attention = _attention(lines)
    assert attention[0].startswith(
        "[DATA LOSS] stateful cloudflare:index/zone:Zone edge-zone is replaced because name changed; ")
    assert "lost with the old one: its DNS records, settings and certificates" in attention[0]
    assert attention[0].endswith("the registrar's NS and DS records must follow, or the domain stops resolving; "
                                 "protected: `pulumi up` refuses to replace it until protect is lifted "
                                 "(config key: platform:edge.domain)")
    # Everything keyed on the zone's id goes with it, the Pro subscription included (bought again).
    carried = attention[0].split("more that take its ids are replaced with it (", 1)[1]
    for kind in ("cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/zoneSetting:ZoneSetting",
                 "cloudflare:index/zoneSubscription:ZoneSubscription", "cloudflare:index/ruleset:Ruleset"):
        assert kind in carried
    assert document["attention"][0]["severity"] == "data-loss"
    # The monthly delta of a replaced subscription is zero; the purchase is not: under Needs attention and Cost.
    (bought,) = [line for line in attention if line.startswith("[purchase]")]
    assert bought.startswith("[purchase] bought again (replaced): Cloudflare subscription edge-subscription: Pro")
    cost = lines[lines.index(next(x for x in lines if x.startswith("Cost: "))):]
    assert cost[0].endswith("; 1 bought again by a replacement (monthly estimate unchanged; billed twice while both "
                            "exist), listed below")
    assert cost[1].startswith("  ! [purchase] bought again (replaced): Cloudflare subscription edge-subscription")
    assert cost[1].endswith("(monthly estimate unchanged: 20.00 USD/month; billed twice while both exist)")
    assert [p["how"] for p in document["cost"]["purchases"]] == ["replaced"]


def test_adding_a_job_removes_nothing_and_shows_its_schedule(prod_base: PlanRun, tmp_path: Path) -> None:
    # Adding one job used to replace the default jobs as a whole (35 resources removed, backup jobs included); jobs
    # are now merged by name (issue 19) and a config that leaves a backup tier without a writer is refused, so the
    # review sees only the new job's resources, with their key inputs.
    head = _head(tmp_path, {"platform:jobs": {"jobs": {
        "reindex": {"schedule": "cron(0 6 ? * SAT *)", "path": "/internal/jobs/reindex"}}}})
    _, lines, document = _diff(prod_base, head, tmp_path)
    attention = _attention(lines) if "Needs attention:" in lines else []
    assert not [line for line in attention if "DATA LOSS" in line or " is removed" in line]
    assert any(line.strip().startswith("+ aws:scheduler/schedule:Schedule  jobs-reindex") and
               'scheduleExpression: "cron(0 6 ? * SAT *)"' in line for line in lines)
    assert not [c for c in document.get("changes", []) if c.get("op") == "delete"]
    # What the new job costs is a price or, where the table has none, "+? USD/month (unknown price)": never "+0.00".
    cost = [line.strip() for line in lines if "USD/month" in line]
    assert cost[0].startswith("Cost: +")
    assert "+0.00" not in "\n".join(cost)

def _planned_types(run: PlanRun) -> set[str]:
    return {r["type"] for r in run.doc["resources"] if r.get("custom") and not r.get("defaultProvider")}


@pytest.fixture(scope="module")
def planned_types(prod_base: PlanRun, tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    preview = run_plan(tmp_path_factory.mktemp("preview"), stack="preview")
    bootstrap = run_plan(tmp_path_factory.mktemp("bootstrap"), "--program", "bootstrap", stack="prod")
    assert preview.code == 0, preview.stderr
    assert bootstrap.code == 0, bootstrap.stderr
    return {"prod": _planned_types(prod_base), "preview": _planned_types(preview),
            "bootstrap": _planned_types(bootstrap)}


def test_the_replace_table_covers_every_stateful_and_hosting_type_the_stacks_plan(
        planned_types: dict[str, set[str]]) -> None:
    for stack, types in planned_types.items():
        assert types_needing_replace_facts(types) == [], stack
    everything = set().union(*planned_types.values())
    # Types that guard data need a row too: removing or replacing one (a restore test, a delete lock) is a gap.
    table = _table()
    assert sorted(t for t in everything if t in PROTECTIVE and t not in table) == []
    # Every custom type planned has a row (a replaced RandomPassword is a new secret the app must follow) but
    # explicit providers (not resources a diff replaces).
    assert sorted(t for t in everything if t not in table and not t.startswith("pulumi:providers:")) == []
    # The classification itself reaches the types that matter: each of these is planned and classified.
    assert {"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:rds/subnetGroup:SubnetGroup",
            "aws:ec2/securityGroup:SecurityGroup", "aws:rds/instance:Instance", "aws:rds/proxy:Proxy",
            "aws:elasticache/serverlessCache:ServerlessCache", "aws:s3/bucket:Bucket", "aws:backup/vault:Vault",
            "aws:kms/key:Key", "cloudflare:index/zone:Zone", "azure-native:storage:StorageAccount"} <= (
        everything & (set(HOLDS) | HOSTS))


def _table() -> dict[str, Any]:
    return json.loads(REPLACE_TABLE.read_text())["types"]


def _inputs(type_token: str) -> set[str]:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from replace_table import sdk_inputs
    finally:
        sys.path.remove(str(REPO / "tools"))
    return set(sdk_inputs(type_token).values())


def _types() -> Iterator[str]:
    yield from sorted(_table())


@pytest.mark.parametrize("type_token", list(_types()))
def test_every_replace_forcing_property_is_an_input_of_the_pinned_sdk(type_token: str) -> None:
    entry = _table()[type_token]
    inputs = _inputs(type_token)
    for prop in [*entry["forces"], *entry["mayForce"]]:
        assert prop == "*" or prop.split(".")[0] in inputs, f"{type_token}.{prop}"
    assert entry["source"]["repository"]
    assert entry["source"]["path"]
    if "ref" in entry["source"]:
        assert len(entry["source"]["commit"]) == 40  # the commit it was read at


def test_the_diagram_draws_only_true_edges() -> None:
    edges = {(a, b): label for a, b, label in DATA_PATHS}
    # Notifications are email, not an HTTPS hop; the edge's HTTPS path is the Cloudflare edge component only.
    assert edges[("users", "platform:edge:CloudflareEdge")] == "HTTPS"
    assert not any(b == "app" and a == "platform:edge:EdgeNotifications" for a, b in edges)
    assert edges[("platform:edge:EdgeNotifications", "users")].endswith("(email)")
    # The VPC hosts the database and the cache, not S3, AWS Backup or Azure storage.
    hosted = {b for a, b in edges if a == "platform:network:Network"}
    assert hosted == {"platform:data:PostgresDatabase", "platform:data:RedisCache"}


def test_the_prod_diagram_has_the_edges_of_its_components(prod_base: PlanRun) -> None:
    doc = prod_base.doc
    diagram = mermaid(compare(doc, doc))
    assert diagram.count("-->|") == len(DATA_PATHS)  # every declared edge meets its components in prod
    assert '"HTTPS"' in diagram
    assert "Cloudflare notifications (email)" in diagram


def test_the_same_program_planned_from_two_folders_changes_nothing(prod_base: PlanRun, tmp_path: Path) -> None:
    # The bootstrap function's package is file assets: their absolute paths named the checkout, so two clones
    # (the target branch's and the pull request's) showed a phantom change of every file in it.
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.prod.yaml"):
        shutil.copy(REPO / name, copy / name)
    shutil.copytree(REPO / "components", copy / "components", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / ".github" / "workflows", copy / ".github" / "workflows")
    head = run_plan(tmp_path, "--program", str(copy), stack="prod")
    assert head.code == 0, head.stderr
    assert compare(prod_base.doc, head.doc).changes == []
    assert str(REPO) not in json.dumps(prod_base.doc["resources"])
    assert str(copy) not in json.dumps(head.doc["resources"])
    (function,) = [r for r in head.doc["resources"] if r["type"] == "aws:lambda/function:Function"
                   and r["name"] == "postgres-bootstrap"]
    handler = function["inputs"]["code"]["archive"]["assets"]["handler.py"]["asset"]
    assert handler == {"path": "components/postgres/bootstrap/handler.py",
                       "hash": hashlib.sha256((copy / handler["path"]).read_bytes()).hexdigest()}
