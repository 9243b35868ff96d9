"""The customer-managed keys: rotated, kept when the stack is destroyed, and used only through their services."""

from __future__ import annotations

import json

from components.aws.kms import key_policy
from tests.support.plans import PlanView

KEY = "aws:kms/key:Key"
ACCOUNT = "123456789012"  # the planner's offline caller identity


def _statements(policy: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_every_key_of_retained_data_outlives_the_stack_and_is_protected_in_prod(
    each_stack: tuple[str, PlanView],
) -> None:
    stack, plan = each_stack
    keys = {key.name: key for key in plan.of_type(KEY)}
    alert_keys = {"alerting-key", "alerting-us-east-1-key"}
    # The dead-letter queues' keys (backup alerts, cron jobs) protect nothing that outlives the stack.
    dead_letter_keys = {"backup-alerts-key", "jobs-key"}
    transient = {*dead_letter_keys, *alert_keys}
    keys_of_data = {"postgres-key", "cache-key", "network-flow-logs-key", "backup-key", "backups-key"}
    assert set(keys) == keys_of_data | transient | ({"backup-copy-key"} if stack == "prod" else set())
    # Final snapshots and retained backups outlive `pulumi destroy`; a destroyed key would make them unreadable.
    # Flow logs and the backup dumps are retained (and so is their key) in prod only: preview force-destroys them.
    for name, key in keys.items():
        retained = name not in transient and (name not in {"network-flow-logs-key", "backups-key"} or stack == "prod")
        assert key.retain_on_delete is retained, name
        # The alert topics' keys are protected in prod like the channel itself; dead letters are disposable.
        assert key.protect is (stack == "prod" and name not in dead_letter_keys), name
        assert key.inputs["enableKeyRotation"] is True
    log_group = plan.one("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs")
    assert (log_group.protect, log_group.retain_on_delete) == ((stack == "prod"),) * 2


def test_database_key_is_used_only_through_rds_and_secrets_manager(prod: PlanView) -> None:
    key = prod.one(KEY, "postgres-key")
    statements = _statements(key.inputs["policy"])
    root = statements["AccountRootAdministersTheKey"]
    assert root["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert root["Action"] == "kms:*"
    use = statements["UseOnlyThroughTheServicesThatStoreTheData"]
    assert use["Condition"]["StringEquals"] == {
        "kms:CallerAccount": ACCOUNT,
        "kms:ViaService": ["rds.eu-west-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com"],
    }
    assert "kms:*" not in use["Action"]


def test_cache_key_is_used_only_through_elasticache(prod: PlanView) -> None:
    statements = _statements(prod.one(KEY, "cache-key").inputs["policy"])
    use = statements["UseOnlyThroughTheServicesThatStoreTheData"]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == ["elasticache.eu-west-1.amazonaws.com"]


def test_no_statement_grants_everyone_without_a_condition(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    for key in plan.of_type(KEY):
        for statement in json.loads(key.inputs["policy"])["Statement"]:
            if statement["Principal"] in ("*", {"AWS": "*"}):
                assert statement.get("Condition"), f"{key.name}: {statement['Sid']}"


def test_logs_statement_names_each_log_group_in_the_partition() -> None:
    statements = _statements(key_policy(account_id=ACCOUNT, region="cn-north-1", log_group_names=["/a", "/b"]))
    logs = statements["CloudWatchLogsEncryptsTheseLogGroups"]
    assert logs["Principal"] == {"Service": "logs.cn-north-1.amazonaws.com.cn"}
    assert logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == [
        f"arn:aws-cn:logs:cn-north-1:{ACCOUNT}:log-group:/a",
        f"arn:aws-cn:logs:cn-north-1:{ACCOUNT}:log-group:/b",
    ]
    assert statements["AccountRootAdministersTheKey"]["Principal"] == {"AWS": f"arn:aws-cn:iam::{ACCOUNT}:root"}
    assert "UseOnlyThroughTheServicesThatStoreTheData" not in statements
