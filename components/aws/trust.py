"""The trust policy of a role an AWS service assumes: one statement, one service principal, `sts:AssumeRole`.

With `source_account`, only that account's service may assume the role (the confused-deputy guard,
`aws:SourceAccount`, IAM User Guide "The confused deputy problem"). Without it, for services that do not send the
key (RDS Enhanced Monitoring's `monitoring.rds.amazonaws.com`). No provider import: a plain JSON document.
"""

from __future__ import annotations

import json
from typing import Any


def service_trust_policy(service: str, *, source_account: str | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_account is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
