"""`ops diff`: two offline plans compared; what matters most first; a Mermaid diagram Mermaid itself accepts."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.changes import compare
from ops.reports.diagram import mermaid, node_id
from ops.reports.diff_report import render_diff_markdown, render_diff_text
from ops.values import ASSET_SIG, SIG_KEY, to_display
from tests.support.cli import REPO, run_plan

MERMAID_PARSER = REPO / "tools" / "mermaid" / "parse.mjs"
STACK = "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod"
DB = "urn:pulumi:prod::platform::platform:data:PostgresDatabase$aws:rds/instance:Instance::postgres-instance"
DB_COMPONENT = "urn:pulumi:prod::platform::platform:data:PostgresDatabase::postgres"


def _resource(urn: str, type_: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"urn": urn, "type": type_, "name": name, "custom": extra.pop("custom", True),
            "parent": extra.pop("parent", DB_COMPONENT), "inputs": inputs, "protect": False, **extra}


def _doc(resources: list[dict[str, Any]], diagnostics: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    base = [
        _resource(STACK, "pulumi:pulumi:Stack", "platform-prod", {}, custom=False, parent=None),
        _resource(DB_COMPONENT, "platform:data:PostgresDatabase", "postgres", {}, custom=False, parent=STACK),
    ]
    return {"project": "platform", "stack": "prod", "resources": base + resources,
            "policy": {"diagnostics": diagnostics or []}}


DATABASE_INPUTS = {"identifier": "platform-prod-postgres", "deletionProtection": True, "multiAz": True,
                   "kmsKeyId": "[unknown]", "tags": {"owner": "web"}, "password": "[secret]"}


def _database(**changes: Any) -> dict[str, Any]:
    inputs = {**copy.deepcopy(DATABASE_INPUTS), **changes.pop("inputs", {})}
    return _resource(DB, "aws:rds/instance:Instance", "postgres-instance", inputs, **changes)


def test_an_unchanged_plan_needs_no_attention() -> None:
    changes = compare(_doc([_database(protect=True)]), _doc([_database(protect=True)]))
    assert changes.changes == []
    assert not changes.needs_attention


def test_plans_of_two_different_stacks_are_called_out_before_anything_else() -> None:
    # A reviewer handed a preview base and a prod head would read every difference between the stacks as the change.
    base = {**_doc([_database(protect=True)]), "stack": "preview"}
    changes = compare(base, _doc([_database(protect=True)]))
    text = render_diff_text(changes)
    assert text.splitlines()[2].startswith("warning: the base plan is of stack preview and the head plan of stack prod")
    assert "the base plan is of stack preview" in render_diff_markdown(changes)
    same = compare(_doc([_database(protect=True)]), _doc([_database(protect=True)]))
    assert "warning" not in render_diff_text(same)
    assert "the base plan is of stack" not in render_diff_markdown(same)


def test_a_removed_stateful_resource_comes_first_as_data_loss() -> None:
    base = _doc([_database(protect=True)])
    head = _doc([])
    head["resources"].append(_resource("urn:x::aws:sns/topic:Topic::t", "aws:sns/topic:Topic", "t", {}))
    changes = compare(base, head)
    assert [c.kind for c in changes.changes] == ["add", "remove"]
    first = changes.attention[0]
    assert first.severity == "data-loss"
    assert "postgres-instance is removed" in first.message
    assert "protected" in first.message


def test_a_property_that_forces_replacement_of_a_database_is_data_loss() -> None:
    # dbName is ForceNew in the provider's schema (ops/replace_table.json); identifier is not: RDS renames in place.
    changes = compare(_doc([_database()]), _doc([_database(inputs={"dbName": "app2"})]))
    (change,) = changes.changes
    assert change.kind == "replace"
    assert changes.attention[0].severity == "data-loss"
    assert "because dbName changed" in changes.attention[0].message
    renamed = compare(_doc([_database()]), _doc([_database(inputs={"identifier": "platform-prod-db2"})]))
    assert [c.kind for c in renamed.changes] == ["update"]
    assert not renamed.needs_attention


def test_protection_and_deletion_guards_turned_off_are_called_out() -> None:
    base = _doc([_database(protect=True, retainOnDelete=True)])
    head = _doc([_database(protect=False, inputs={"deletionProtection": False})])
    changes = compare(base, head)
    messages = [a.message for a in changes.attention if a.severity == "protection"]
    assert any("protect turned off" in m for m in messages)
    assert any("retainOnDelete turned off" in m for m in messages)
    assert any("deletionProtection true -> false" in m for m in messages)
    (change,) = changes.changes
    assert {p.path for p in change.properties} == {"deletionProtection", "(option) protect", "(option) retainOnDelete"}


def test_an_unset_guard_keeps_the_providers_default_and_is_not_reported() -> None:
    bucket = "urn:pulumi:prod::platform::aws:s3/bucket:Bucket::dumps"
    base = _doc([_resource(bucket, "aws:s3/bucket:Bucket", "dumps", {"forceDestroy": False})])
    head = _doc([_resource(bucket, "aws:s3/bucket:Bucket", "dumps", {})])
    assert not [a for a in compare(base, head).attention if a.severity == "protection"]
    worse = _doc([_resource(bucket, "aws:s3/bucket:Bucket", "dumps", {"forceDestroy": True})])
    assert [a.severity for a in compare(base, worse).attention] == ["protection"]


def test_unknown_values_may_change_and_secrets_never_show() -> None:
    head = _doc([_database(inputs={"kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k", "password": "[secret]",
                                   "tags": {"owner": "web", "team": "data"}})])
    changes = compare(_doc([_database()]), head)
    (change,) = changes.changes
    by_path = {p.path: p for p in change.properties}
    assert by_path["kmsKeyId"].uncertain  # unknown in the base: cannot tell, so not a replacement
    assert change.kind == "update"
    assert "tags.team" in by_path
    assert "password" not in by_path  # a changed secret is invisible, never printed
    text = render_diff_text(changes)
    assert "tags.team: (not set) -> \"data\"" in text
    assert "may change: unknown until deploy" in text


def test_replacement_of_types_without_a_known_schema_is_left_to_the_provider() -> None:
    # A type the stacks do not plan, so without a row (the planned ones all have one; test_ops_diff_review).
    layer = "urn:pulumi:prod::platform::aws:lambda/layerVersion:LayerVersion::bootstrap"
    base = _doc([_resource(layer, "aws:lambda/layerVersion:LayerVersion", "bootstrap", {"description": "a"})])
    head = _doc([_resource(layer, "aws:lambda/layerVersion:LayerVersion", "bootstrap", {"description": "b"})])
    changes = compare(base, head)
    (change,) = changes.changes
    assert change.kind == "update"
    assert not change.replacement_known
    assert not changes.needs_attention  # a layer holds no data and hosts nothing that does
    assert "decided by the provider at `pulumi preview`" in render_diff_text(changes)


def test_a_password_with_a_new_length_is_a_new_secret_and_needs_attention() -> None:
    # terraform-provider-random's passwordSchemaV3: `length` has RequiresReplace, so the jobs' auth secret (or a cache
    # user's password) is generated again and whatever holds the old one fails until it follows.
    secret = "urn:pulumi:prod::platform::random:index/randomPassword:RandomPassword::jobs-auth"
    base = _doc([_resource(secret, "random:index/randomPassword:RandomPassword", "jobs-auth", {"length": 48})])
    head = _doc([_resource(secret, "random:index/randomPassword:RandomPassword", "jobs-auth", {"length": 64})])
    changes = compare(base, head)
    (change,) = changes.changes
    assert change.kind == "replace"
    assert [a.severity for a in changes.attention] == ["replacement"]
    assert "length" in changes.attention[0].message


def test_a_stateful_change_the_table_cannot_decide_may_replace_and_needs_attention() -> None:
    table = "urn:pulumi:prod::platform::aws:dynamodb/table:Table::locks"
    base = _doc([_resource(table, "aws:dynamodb/table:Table", "locks", {"hashKey": "id"})])
    head = _doc([_resource(table, "aws:dynamodb/table:Table", "locks", {"hashKey": "key"})])
    changes = compare(base, head)
    (change,) = changes.changes
    assert change.may_replace
    (attention,) = changes.attention
    assert attention.severity == "data-at-risk"
    assert "may be replaced" in attention.message
    assert "(may be replaced:" in render_diff_text(changes)


def test_an_option_only_change_never_says_the_provider_decides() -> None:
    group = "urn:pulumi:prod::platform::aws:cloudwatch/logGroup:LogGroup::postgres-logs"
    lambda_ = "urn:pulumi:prod::platform::aws:lambda/function:Function::bootstrap"
    base = _doc([_resource(group, "aws:cloudwatch/logGroup:LogGroup", "postgres-logs", {}, protect=True),
                 _resource(lambda_, "aws:lambda/function:Function", "bootstrap", {}, retainOnDelete=True)])
    head = _doc([_resource(group, "aws:cloudwatch/logGroup:LogGroup", "postgres-logs", {}),
                 _resource(lambda_, "aws:lambda/function:Function", "bootstrap", {})])
    text = render_diff_text(compare(base, head))
    assert "(option) protect: true -> false" in text
    assert "decided by the provider" not in text


def test_most_severe_first_by_what_can_be_lost() -> None:
    group = "urn:pulumi:prod::platform::aws:cloudwatch/logGroup:LogGroup::postgres-logs"
    base = _doc([_resource(group, "aws:cloudwatch/logGroup:LogGroup", "postgres-logs", {}, protect=True),
                 _database()])
    head = _doc([_resource(group, "aws:cloudwatch/logGroup:LogGroup", "postgres-logs", {}),
                 _database(inputs={"deletionProtection": False})])
    messages = [a.message for a in compare(base, head).attention]
    assert messages == [
        "deletion guard off on aws:rds/instance:Instance postgres-instance: deletionProtection true -> false",
        "protect turned off on aws:cloudwatch/logGroup:LogGroup postgres-logs",
    ]


def test_weakening_a_protective_resource_needs_attention() -> None:
    alarm = "urn:pulumi:prod::platform::aws:cloudwatch/metricAlarm:MetricAlarm::db-cpu"
    group = "urn:pulumi:prod::platform::aws:cloudwatch/logGroup:LogGroup::postgres-logs"
    base = _doc([_resource(alarm, "aws:cloudwatch/metricAlarm:MetricAlarm", "db-cpu",
                           {"alarmActions": ["a"], "actionsEnabled": True, "tags": {"x": "1"}}),
                 _resource(group, "aws:cloudwatch/logGroup:LogGroup", "postgres-logs", {"retentionInDays": 365})])
    head = _doc([_resource(alarm, "aws:cloudwatch/metricAlarm:MetricAlarm", "db-cpu",
                           {"alarmActions": [], "actionsEnabled": False, "tags": {"x": "2"}}),
                 _resource(group, "aws:cloudwatch/logGroup:LogGroup", "postgres-logs", {"retentionInDays": 30})])
    messages = [a.message for a in compare(base, head).attention]
    assert messages == [
        "log group aws:cloudwatch/logGroup:LogGroup postgres-logs is weakened: retentionInDays 365 -> 30",
        "alarm aws:cloudwatch/metricAlarm:MetricAlarm db-cpu is weakened: actionsEnabled true -> false; "
        "alarmActions: 1 -> 0 entries",
    ]
    cosmetic = _doc([_resource(alarm, "aws:cloudwatch/metricAlarm:MetricAlarm", "db-cpu",
                               {"alarmActions": ["a"], "actionsEnabled": True, "tags": {"x": "2"}}),
                     _resource(group, "aws:cloudwatch/logGroup:LogGroup", "postgres-logs", {"retentionInDays": 365})])
    assert not compare(base, cosmetic).needs_attention


def test_added_resources_show_their_key_inputs() -> None:
    record = "urn:pulumi:prod::platform::cloudflare:index/dnsRecord:DnsRecord::edge-dns-api"
    head = _doc([_resource(record, "cloudflare:index/dnsRecord:DnsRecord", "edge-dns-api",
                           {"name": "api.example.com", "type": "CNAME", "content": "origin.example.net",
                            "ttl": 1, "zoneId": "[unknown]"})])
    text = render_diff_text(compare(_doc([]), head))
    assert ('+ cloudflare:index/dnsRecord:DnsRecord  edge-dns-api  (name: "api.example.com", type: "CNAME", '
            'content: "origin.example.net")') in text


def test_newly_failing_and_newly_passing_policies() -> None:
    failing = {"policy": "aws-rds-instance-enable-multi-az", "urn": DB, "enforcementLevel": "mandatory",
               "message": "RDS instances must be Multi-AZ.\nmultiAz is false"}
    old_one = {"policy": "aws-rds-instance-enable-copy-tags-to-snapshot", "urn": DB, "enforcementLevel": "advisory",
               "message": "x\ncopyTagsToSnapshot is absent"}
    changes = compare(_doc([_database()], [old_one]), _doc([_database(inputs={"multiAz": False})], [failing]))
    assert [(p.policy, p.now) for p in changes.policy] == [
        ("aws-rds-instance-enable-multi-az", "fails"),
        ("aws-rds-instance-enable-copy-tags-to-snapshot", "passes"),
    ]
    assert changes.attention[-1].severity == "policy"
    assert changes.attention[-1].message.endswith("multiAz is false")


def _parse_mermaid(text: str) -> dict[str, Any]:
    if not (REPO / "tools" / "mermaid" / "node_modules").is_dir() or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("Mermaid's parser is not installed: run `make test` (npm ci in tools/mermaid)")
        pytest.skip("Mermaid's parser is not installed (make test installs it)")
    out = subprocess.run(["node", str(MERMAID_PARSER)], input=text, capture_output=True, text=True, timeout=60,
                         check=False)
    return json.loads(out.stdout)


def test_the_diagram_marks_changed_components_and_mermaid_parses_it() -> None:
    head = _doc([_database(inputs={"multiAz": False})])
    head["resources"].append(_resource("urn:pulumi:prod::platform::platform:data:RedisCache::cache",
                                       "platform:data:RedisCache", "ca\"che <b>", {}, custom=False, parent=STACK))
    diagram = mermaid(compare(_doc([_database()]), head))
    assert f"class {node_id(DB_COMPONENT)} changed" in diagram
    assert f"class {node_id('urn:pulumi:prod::platform::platform:data:RedisCache::cache')} added" in diagram
    assert "#34;" in diagram  # a quote in a name cannot end the label early
    assert _parse_mermaid(diagram) == {"ok": True, "type": "flowchart-v2"}
    assert _parse_mermaid('flowchart LR\n  a -->|"x| b\n')["ok"] is False  # the parser does reject bad input


def test_prod_with_deletion_protection_turned_off_puts_that_change_first(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    base = run_plan(tmp_path / "base", stack="prod")
    assert base.code == 0, base.stderr
    data = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())
    data["config"]["platform:database"]["deletion_protection"] = False
    stack_file = tmp_path / "Pulumi.prod.yaml"
    stack_file.write_text(yaml.safe_dump(data))
    head = run_plan(tmp_path / "head", "--config", str(stack_file), stack="prod")
    assert head.code == 1  # the pack says no, and the diff says why first

    report = tmp_path / "diff.md"
    out = subprocess.run(
        [sys.executable, "-m", "ops", "diff", str(base.json_path), str(head.json_path), "--report", str(report),
         "--json", str(tmp_path / "diff.json")],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert lines[2] == "Needs attention:"
    # Named by the stack config key that turned it off (components/config_sources.py), as `ops plan` names it.
    assert lines[3] == (
        "  [protection] deletion guard off on aws:rds/instance:Instance postgres-instance: "
        "deletionProtection true -> false (config key: platform:database.deletion_protection)"
    )
    # The policies that key trips are one finding, with its value, where it comes from and what to set.
    (policy,) = [line for line in lines if line.startswith("  [policy]")]
    assert policy.startswith("  [policy] platform:database.deletion_protection = false (Pulumi.prod.yaml): ")
    assert "mandatory aws-rds-instance-enable-deletion-protection" in policy
    assert policy.endswith("; set platform:database.deletion_protection: true")
    markdown = report.read_text()
    assert markdown.startswith("<!-- ops-diff-report: platform/prod -->")
    assert markdown.index("deletionProtection true -&gt; false") < markdown.index("```mermaid")
    document = json.loads((tmp_path / "diff.json").read_text())
    (changed,) = [c for c in document["changes"] if c["type"] == "aws:rds/instance:Instance"]
    assert changed["properties"] == [{"path": "deletionProtection", "old": True, "new": False, "uncertain": False}]
    assert _parse_mermaid(document["mermaid"])["ok"] is True
    # The same report from the library as from the CLI, but for the cost paragraph the CLI adds (ops/cost).
    cost = re.compile(r"\n\*\*What it costs\*\*:[^\n]*\n")
    assert render_diff_markdown(compare(json.loads(base.json_path.read_text()),
                                        json.loads(head.json_path.read_text()))) == cost.sub("", markdown)


def test_a_file_that_is_not_a_plan_is_refused_cleanly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    for args in ([str(bad), str(other)], [str(other), str(other)], [str(tmp_path / "missing.json"), str(other)]):
        out = subprocess.run([sys.executable, "-m", "ops", "diff", *args], cwd=REPO, capture_output=True,
                             text=True, timeout=60, check=False)
        assert out.returncode == 2
        assert "Traceback" not in out.stderr
        assert out.stderr.strip()


def _function(assets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    urn = "urn:pulumi:prod::platform::aws:lambda/function:Function::bootstrap"
    return _resource(urn, "aws:lambda/function:Function", "bootstrap",
                     {"code": {"archive": {"assets": {name: {"asset": a} for name, a in assets.items()}}}})


def test_assets_are_compared_by_their_content_hash_as_the_engine_does() -> None:
    # pulumi/pulumi sdk/go/common/resource/asset/asset.go, Asset.Equals: "value equality is determined only by
    # the hash": the same file from another checkout is no change, and an edited file is one, whatever its path.
    one, two = "a" * 64, "b" * 64
    base = _doc([_function({"handler.py": {"path": "/home/ci/base/handler.py", "hash": one}})])
    moved = _doc([_function({"handler.py": {"path": "/home/ci/head/handler.py", "hash": one}})])
    edited = _doc([_function({"handler.py": {"path": "/home/ci/base/handler.py", "hash": two}})])
    assert compare(base, moved).changes == []
    (change,) = compare(base, edited).changes
    assert [(p.path, p.old, p.new) for p in change.properties] == [
        ("code.archive.assets.handler.py.asset.hash", one, two)]


def test_a_plan_records_a_file_asset_by_hash_and_project_relative_path(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    handler = tmp_path / "src" / "handler.py"
    handler.parent.mkdir()
    handler.write_bytes(b"print('hi')\n")
    shown = to_display({SIG_KEY: ASSET_SIG, "path": str(handler)})
    assert shown == {"asset": {"path": "src/handler.py", "hash": hashlib.sha256(b"print('hi')\n").hexdigest()}}


BUDGET = "urn:pulumi:prod::platform::platform:cost:CostBudget$aws:budgets/budget:Budget::cost-monthly"


def _budget(inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    base = {"name": "platform-prod-monthly", "budgetType": "COST", "limitAmount": "1500", "limitUnit": "USD",
            "timeUnit": "MONTHLY"}
    return _resource(BUDGET, "aws:budgets/budget:Budget", "cost-monthly", {**base, **inputs}, **extra)


def test_the_budgets_replace_forcing_inputs_come_from_the_table() -> None:
    # hashicorp/terraform-provider-aws internal/service/budgets/budget.go (ResourceBudget): ForceNew on
    # account_id, name and name_prefix; limit_amount, notification and the rest update in place.
    (renamed,) = compare(_doc([_budget({})]), _doc([_budget({"name": "platform-prod-budget"})])).changes
    assert (renamed.kind, renamed.because) == ("replace", "name changed")
    changes = compare(_doc([_budget({})]), _doc([_budget({"limitAmount": "2000"})]))
    (raised,) = changes.changes
    assert (raised.kind, raised.replacement_known, raised.may_replace) == ("update", True, False)
    assert "decided by the provider" not in render_diff_text(changes)


def test_removing_the_budget_needs_attention_and_an_option_only_change_never_says_the_provider_decides() -> None:
    removed = compare(_doc([_budget({})]), _doc([]))
    assert [a.message for a in removed.attention] == [
        "cost budget aws:budgets/budget:Budget cost-monthly is removed"]
    option_only = compare(_doc([_budget({}, retainOnDelete=True)]), _doc([_budget({})]))
    text = render_diff_text(option_only)
    assert "(option) retainOnDelete: true -> false" in text
    assert "decided by the provider" not in text
    assert "decided by the provider" not in render_diff_markdown(option_only)


NETWORK = "urn:pulumi:prod::platform::platform:network:Network::network"
VPC = "urn:pulumi:prod::platform::platform:network:Network$aws:ec2/vpc:Vpc::network-vpc"


def test_a_replacement_names_the_config_key_that_causes_it() -> None:
    def vpc(cidr: str) -> dict[str, Any]:
        return _resource(VPC, "aws:ec2/vpc:Vpc", "network-vpc", {"cidrBlock": cidr}, parent=NETWORK)

    changes = compare(_doc([vpc("10.40.0.0/16")]), _doc([vpc("10.50.0.0/16")]))
    (line,) = changes.attention
    assert (line.severity, line.config_keys) == ("replacement", ("platform:network.cidr_block",))
    assert render_diff_text(changes).splitlines()[3] == (
        "  [replacement] aws:ec2/vpc:Vpc network-vpc is replaced because cidrBlock changed "
        "(config key: platform:network.cidr_block)")


DB_INGRESS = ("urn:pulumi:prod::platform::platform:network:Network$aws:vpc/securityGroupIngressRule:"
              "SecurityGroupIngressRule::network-database-from-app")


def test_moving_the_database_ingress_rule_to_another_group_replaces_it() -> None:
    # pulumi/terraform-provider-aws patched-v5.14.0 internal/service/ec2/vpc_security_group_ingress_rule.go:
    # "security_group_id": ... stringplanmodifier.RequiresReplace(); the ports update in place.
    def rule(group: str, port: int = 5432) -> dict[str, Any]:
        return _resource(DB_INGRESS, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                         "network-database-from-app", {"securityGroupId": group, "ipProtocol": "tcp",
                                                       "fromPort": port, "toPort": port}, parent=NETWORK)

    moved = compare(_doc([rule("sg-database")]), _doc([rule("sg-other")]))
    (change,) = moved.changes
    assert change.kind == "replace"
    (line,) = moved.attention
    assert (line.severity, line.message) == (
        "replacement", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule network-database-from-app is "
        "replaced because securityGroupId changed")
    (ported,) = compare(_doc([rule("sg-database")]), _doc([rule("sg-database", 5433)])).changes
    assert (ported.kind, ported.may_replace) == ("update", False)


def test_a_type_without_a_row_that_takes_a_replaced_id_may_be_replaced() -> None:
    # No row in the replace table: whether the new VPC id replaces it is the provider's to say, so "may replace"
    # under Needs attention, not a quiet "~ changed".
    endpoint = "urn:pulumi:prod::platform::platform:network:Network$aws:ec2/vpcEndpoint:VpcEndpoint::network-s3"

    def plan(cidr: str) -> dict[str, Any]:
        return _doc([
            _resource(VPC, "aws:ec2/vpc:Vpc", "network-vpc", {"cidrBlock": cidr}, parent=NETWORK),
            _resource(endpoint, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3", {"vpcId": "[unknown]"},
                      parent=NETWORK, propertyDependencies={"vpcId": [VPC]}),
        ])

    changes = compare(plan("10.40.0.0/16"), plan("10.50.0.0/16"))
    (change,) = [c for c in changes.changes if c.urn == endpoint]
    assert change.may_replace
    assert [(a.severity, a.urn) for a in changes.attention if a.severity == "may-replace"] == [
        ("may-replace", endpoint)]
    assert "network-s3 may be replaced: its vpcId input is set from aws:ec2/vpc:Vpc network-vpc, which is replaced" \
        in "\n".join(a.message for a in changes.attention)


def test_the_database_at_risk_comes_before_the_cache_lost() -> None:
    # Ordered by what can be lost: a cache refills from the database; the database does not refill.
    cache = "urn:pulumi:prod::platform::aws:elasticache/serverlessCache:ServerlessCache::cache"
    table = "urn:pulumi:prod::platform::aws:dynamodb/table:Table::locks"
    base = _doc([_resource(cache, "aws:elasticache/serverlessCache:ServerlessCache", "cache", {}),
                 _resource(table, "aws:dynamodb/table:Table", "locks", {"hashKey": "id"})])
    head = _doc([_resource(table, "aws:dynamodb/table:Table", "locks", {"hashKey": "key"})])
    assert [(a.severity, a.urn) for a in compare(base, head).attention] == [
        ("data-at-risk", table), ("data-loss", cache)]


def test_a_long_value_is_cut_visibly_in_text_and_shown_whole_in_the_markdown_details() -> None:
    alarm = "urn:pulumi:prod::platform::aws:cloudwatch/metricAlarm:MetricAlarm::jobs-cleanup-dlq"
    text = "Cron job 'cleanup' (POST https://app.example.com/internal/jobs/cleanup) could not be delivered. " * 4
    base = _doc([_resource(alarm, "aws:cloudwatch/metricAlarm:MetricAlarm", "jobs-cleanup-dlq",
                           {"alarmDescription": text})])
    head = _doc([_resource(alarm, "aws:cloudwatch/metricAlarm:MetricAlarm", "jobs-cleanup-dlq",
                           {"alarmDescription": text.replace("example.com", "example.org")})])
    changes = compare(base, head)
    (line,) = [x for x in render_diff_text(changes).splitlines() if "alarmDescription" in x]
    # The common beginning is skipped (and said so), so the difference shows; the cut end says how much is left.
    assert '(first 36 characters as before)…p.example.com/internal' in line
    assert '(first 36 characters as before)…p.example.org/internal' in line
    assert re.search(r"… \(\d+ more characters\) -> ", line)
    markdown = render_diff_markdown(changes)
    assert json.dumps(text.replace("example.com", "example.org")) in markdown
    assert not re.search(r"…(?! \(\d+ more)", markdown.replace("(first", ""))


def test_a_report_cut_to_fit_a_comment_says_how_much_was_left_out() -> None:
    groups = [_resource(f"urn:pulumi:prod::platform::aws:cloudwatch/logGroup:LogGroup::logs-{i}",
                        "aws:cloudwatch/logGroup:LogGroup", f"logs-{i}", {}) for i in range(300)]
    changes = compare(_doc(groups), _doc([]))
    markdown = render_diff_markdown(changes, limit=4000)
    assert len(markdown) <= 4000
    assert re.search(r"<sub>… \(\d+ more lines\) left out to fit a comment", markdown)


def test_a_replacement_says_delete_then_create_only_when_the_plan_sets_delete_before_replace() -> None:
    # Pulumi creates the replacement first unless deleteBeforeReplace is set (Pulumi docs, resource options:
    # "deleteBeforeReplace ... the resource will be deleted before its replacement is created"); the engine refuses
    # to delete a protected resource ("protect ... marks a resource as protected. A protected resource cannot be
    # deleted directly"), so a protected one stops `pulumi up` until protect is lifted.
    renamed = {"inputs": {"dbName": "app2"}}  # ForceNew (ops/replace_table.json)
    plain = compare(_doc([_database()]), _doc([_database(**renamed)]))
    (line,) = [a.message for a in plain.attention if a.severity == "data-loss"]
    assert "is replaced because dbName changed" in line
    assert "delete, then create" not in line
    assert "protected" not in line
    ordered = compare(_doc([_database()]), _doc([_database(deleteBeforeReplace=True, **renamed)]))
    (line,) = [a.message for a in ordered.attention if a.severity == "data-loss"]
    assert "is replaced (delete, then create) because dbName changed" in line
    kept = compare(_doc([_database(protect=True)]), _doc([_database(protect=True, **renamed)]))
    (line,) = [a.message for a in kept.attention if a.severity == "data-loss"]
    assert line.endswith("; protected: `pulumi up` refuses to replace it until protect is lifted")
