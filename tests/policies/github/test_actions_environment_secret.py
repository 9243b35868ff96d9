"""GitHub Actions secrets: the value arrives as a Pulumi secret through `value` (CKV_GIT_4), never through the
deprecated plaintext inputs; no secret or variable carries a long-lived cloud key."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import changed
from tests.policies.harness import CANT_RUN, UNKNOWN, Pack, only, secret, violations

SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
REPO_SECRET = "github:index/actionsSecret:ActionsSecret"
VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
PLAINTEXT = "github-actions-environment-secret-disallow-plaintext-value"
SECRET_VALUE = "github-actions-environment-secret-require-pulumi-secret-value"
KEYS = "github-actions-environment-secret-disallow-long-lived-cloud-keys"

SECRET_PROPS: dict[str, Any] = {
    "repository": "web-app",
    "environment": "prod",
    "secretName": "REDIS_URL",
    "value": secret("rediss://app:fixture-secret-must-never-print@cache:6379"),
}


def test_a_secret_value_passes(pack: Pack) -> None:
    assert pack.analyze(SECRET, SECRET_PROPS) == []
    assert pack.analyze(REPO_SECRET, changed(SECRET_PROPS, environment=...)) == []
    # Pre-encrypted for the repository's public key: ciphertext, no Pulumi secret needed.
    assert pack.analyze(SECRET, changed(SECRET_PROPS, value=..., valueEncrypted="c2VhbGVk", keyId="k1")) == []


def test_a_value_not_sent_as_a_secret_is_caught_and_not_echoed(pack: Pack) -> None:
    diag = only(pack.analyze(SECRET, changed(SECRET_PROPS, value="fixture-secret-must-never-print")),
                SECRET_VALUE, "did not arrive as a Pulumi secret")
    assert "fixture-secret-must-never-print" not in diag.message


def test_an_unknown_secret_value_passes_when_secret(pack: Pack) -> None:
    assert pack.analyze(SECRET, changed(SECRET_PROPS, value=secret(UNKNOWN))) == []


@pytest.mark.parametrize("prop", ["plaintextValue", "encryptedValue"])
def test_the_deprecated_inputs_are_caught(pack: Pack, prop: str) -> None:
    # The SDK wraps the deprecated inputs in secrets too: the input itself is the finding (CKV_GIT_4).
    diags = pack.analyze(SECRET, changed(SECRET_PROPS, value=..., **{prop: secret("fixture-secret")}))
    only(diags, PLAINTEXT, f"{prop} is set")


def test_a_secret_without_any_value_is_caught(pack: Pack) -> None:
    only(pack.analyze(SECRET, changed(SECRET_PROPS, value=...)), SECRET_VALUE, "no value is set")


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        (SECRET, changed(SECRET_PROPS, secretName="AWS_SECRET_ACCESS_KEY")),
        (SECRET, changed(SECRET_PROPS, secretName="aws_access_key_id")),
        (SECRET, changed(SECRET_PROPS, secretName="PROD_AWS_SECRET_ACCESS_KEY")),
        (SECRET, changed(SECRET_PROPS, secretName="AZURE_CLIENT_SECRET")),
        (VARIABLE, {"repository": "web-app", "environment": "prod", "variableName": "AWS_ACCESS_KEY_ID",
                    "value": "AKIA..."}),
    ],
)
def test_long_lived_cloud_keys_are_caught(pack: Pack, type_: str, props: dict[str, Any]) -> None:
    only(pack.analyze(type_, props), KEYS, "long-lived cloud key")


def test_role_arns_and_ordinary_names_pass(pack: Pack) -> None:
    for name in ("AWS_ROLE_ARN", "DATABASE_PROXY_ENDPOINT", "ACCESS_KEY_ID_HINT"):
        props = {"repository": "web-app", "environment": "prod", "variableName": name, "value": "x"}
        assert violations(pack.analyze(VARIABLE, props)) == []


def test_without_the_secret_note_the_policy_cannot_run(pack: Pack, monkeypatch: pytest.MonkeyPatch) -> None:
    from baseline import secret_inputs  # the pack's own module (policies/ is on sys.path)

    monkeypatch.setattr(secret_inputs, "_installed", False)
    diags = pack.analyze(SECRET, SECRET_PROPS)
    assert violations(diags) == []
    assert [d.policy for d in diags if d.message.startswith(CANT_RUN)] == [SECRET_VALUE]
