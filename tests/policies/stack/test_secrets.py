"""No plaintext secret in a resource input or a stack output; properly secret values pass."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.harness import UNKNOWN, Pack, Resource, only, secret

from baseline import secret_marks  # isort: skip

POLICY = "stack-disallow-plaintext-secrets"
STACK = "pulumi:pulumi:Stack"
FUNCTION = "aws:lambda/function:Function"
URL = "rediss://app_user:s3cr3t-pa55@cache.example.internal:6379"


def _mine(pack: Pack, resources: list[Resource]) -> list[Any]:
    return [d for d in pack.analyze_stack(resources) if d.policy == POLICY]


def test_the_sdk_layout_allows_the_secret_marks(stack_pack: Pack) -> None:
    assert secret_marks.installed()


@pytest.mark.parametrize(
    "outputs",
    [
        {"cache_url": secret(URL), "vpc_id": "vpc-1"},
        {"database_secret_arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db", "database_port": 5432},
        {"cache_url": UNKNOWN, "nested": {"password": secret("p")}},
        {"database_master_username": "app_admin", "endpoint": "https://example.com/path"},
        # A secrets provider names a key (the bootstrap's output for `pulumi stack init --secrets-provider`).
        {"secrets_provider": "awskms://alias/platform-pulumi-state?region=eu-west-1"},
    ],
)
def test_secret_or_innocent_outputs_pass(stack_pack: Pack, outputs: dict[str, Any]) -> None:
    assert _mine(stack_pack, [Resource(STACK, "platform-prod", outputs)]) == []


@pytest.mark.parametrize(
    ("outputs", "fragment"),
    [
        ({"cache_url": URL}, "output `cache_url` is not marked secret but its value is a URL with user:password@"),
        ({"db": {"dsn": "postgres://u:p@h/db"}}, "`db.dsn`"),
        ({"key": "-----BEGIN RSA PRIVATE KEY-----\nMII..."}, "a PEM private key"),
        ({"id": "AKIAABCDEFGHIJKLMNOP"}, "an AWS access key id"),
        ({"conn": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;"}, "connection string"),
        ({"admin_password": "hunter2"}, "its name says it holds a credential"),
        ({"api_token": "awskms-looking-but-plain"}, "its name says it holds a credential"),
        ({"tokens": ["t0k3n"]}, "`tokens[0]`"),
    ],
)
def test_plaintext_secret_output_violates(stack_pack: Pack, outputs: dict[str, Any], fragment: str) -> None:
    (diag,) = _mine(stack_pack, [Resource(STACK, "platform-prod", outputs)])
    assert fragment in diag.message
    assert all(v not in diag.message for v in ("s3cr3t", "hunter2", "abc==", "t0k3n"))


def test_plaintext_secret_in_a_lambda_environment_violates(stack_pack: Pack) -> None:
    env = {"variables": {"MASTER_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:x", "DB_PASSWORD": "pw"}}
    diags = _mine(stack_pack, [Resource(FUNCTION, "fn", {"environment": env})])
    only(diags, POLICY, "environment.variables.DB_PASSWORD")
    env["variables"]["DB_PASSWORD"] = secret("pw")
    assert _mine(stack_pack, [Resource(FUNCTION, "fn", {"environment": env})]) == []


def test_provider_credentials_violate(stack_pack: Pack) -> None:
    provider = Resource("pulumi:providers:aws", "p", {"region": "eu-west-1", "secretKey": "wJalrXUtnFEMI"})
    only(_mine(stack_pack, [provider]), POLICY, "input `secretKey`")


def test_reference_names_and_flags_pass(stack_pack: Pack) -> None:
    props = {"manageMasterUserPassword": True, "masterUserSecretKmsKeyId": "alias/aws/rds", "passwordLength": "32",
             "secretArn": "arn:aws:secretsmanager:eu-west-1:1:secret:x", "tokenName": "ci", "password": ""}
    assert _mine(stack_pack, [Resource("aws:rds/instance:Instance", "db", props)]) == []
