"""The bootstrap project's config (`platform-bootstrap:<key>`): what exists once per account.

No provider import: the bootstrap validates its config before any resource is registered, like the main program.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from components.concern import full_match
from components.github.config import check_repository

PROJECT = "platform-bootstrap"
# An IAM role or user ARN (an SSO permission set's role counts: aws:PrincipalArn is the role's ARN).
_PRINCIPAL = re.compile(r"arn:aws(?:-cn|-us-gov)?:iam::[0-9]{12}:(?:role|user)/[A-Za-z0-9+=,.@_/-]{1,512}")
# S3 bucket names: 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit.
_BUCKET = re.compile(r"[a-z0-9](?:[a-z0-9.-]{1,61})[a-z0-9]")
_ALIAS = re.compile(r"[a-zA-Z0-9/_-]{1,250}")
_TAG_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,127}")


class BootstrapConfig(BaseModel):
    """Validated `platform-bootstrap:*` config."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    repository: str = Field(
        description="The repository whose Actions deploy, as 'owner/name' (exact case).",
        examples=["example-org/web-app"],
    )
    admin_principal_arn: str = Field(
        description="The IAM role/user ARN of the administrator who runs the bootstrap. The state bucket policy "
        "admits only it and the deploy and read-only roles.",
        examples=["arn:aws:iam::123456789012:role/PlatformAdmin"],
    )
    owner: str = Field(
        description="The 'owner' tag of the bootstrap's resources. 1-128 ASCII letters, digits, spaces or ._@+-, "
        "starting with a letter or digit.",
        examples=["web-platform-team"],
    )
    cost_center: str = Field(
        description="The 'cost-center' tag of the bootstrap's resources. 1-128 ASCII letters, digits, spaces or "
        "._@+-, starting with a letter or digit.",
        examples=["cc-1001-shared"],
    )
    read_only_pull_requests: bool = Field(
        default=False,
        description="Let same-repository pull_request jobs assume the read-only role (docs/state-backend.md).",
    )
    state_bucket_name: str | None = Field(
        default=None,
        description="Default: platform-pulumi-state-<account>-<region>. The state bucket's name: 3-63 lowercase "
        "letters, digits, '-' or '.'.",
        examples=["platform-pulumi-state-123456789012-eu-west-1"],
    )
    secrets_key_alias: str = Field(
        default="platform-pulumi-state",
        description="The KMS alias, without 'alias/'. The key encrypts the state bucket and the stacks' secrets; "
        "the alias must not start with 'aws/'.",
    )

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        return check_repository(value)

    @field_validator("admin_principal_arn")
    @classmethod
    def _principal(cls, value: str) -> str:
        if not full_match(_PRINCIPAL, value):
            raise PydanticCustomError("arn", "must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)")
        return value

    @field_validator("owner", "cost_center")
    @classmethod
    def _tag(cls, value: str) -> str:
        if not full_match(_TAG_VALUE, value):
            raise PydanticCustomError(
                "tag", "1-128 ASCII letters, digits, spaces or ._@+-, starting with a letter or digit"
            )
        return value

    @field_validator("state_bucket_name")
    @classmethod
    def _bucket(cls, value: str | None) -> str | None:
        if value is not None and (not full_match(_BUCKET, value) or ".." in value or value.startswith("xn--")):
            raise PydanticCustomError("bucket", "must be an S3 bucket name: 3-63 lowercase letters, digits, '-' or '.'")
        return value

    @field_validator("secrets_key_alias")
    @classmethod
    def _alias(cls, value: str) -> str:
        if not full_match(_ALIAS, value) or value.startswith(("alias/", "aws/")):
            raise PydanticCustomError(
                "alias", "letters, digits, '/', '_' or '-', without the 'alias/' prefix, not 'aws/'"
            )
        return value


def build_bootstrap_config(raw: Mapping[str, Any], *, stack: str) -> BootstrapConfig:
    """Validate the flat config map, or raise a RunError that lists every problem by key (no traceback)."""
    from components.stack import ConfigError, _describe  # noqa: PLC0415 - the main loader's message format

    prefix = f"{PROJECT}:"
    own = {key[len(prefix):]: value for key, value in raw.items() if key.startswith(prefix)}
    data: dict[str, Any] = dict(own)
    if isinstance(data.get("read_only_pull_requests"), str):
        data["read_only_pull_requests"] = {"true": True, "false": False}.get(data["read_only_pull_requests"],
                                                                          data["read_only_pull_requests"])
    try:
        return BootstrapConfig.model_validate(data)
    except ValidationError as error:
        problems = [p.replace(f"{PROJECT}.", f"{PROJECT}:", 1) for p in _describe(error, PROJECT, BootstrapConfig)]
        raise ConfigError(stack, problems) from None


def load_bootstrap_config() -> BootstrapConfig:
    raw = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return build_bootstrap_config(raw, stack=pulumi.get_stack())
