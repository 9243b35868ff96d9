"""The bootstrap project's config (`platform-bootstrap:<key>`): what exists once per account.

The account hosts the stacks `stacks` names (one AWS account per environment is the secure layout, one bootstrap
each); each hosted stack gets its own deploy role and its own GitHub environments, `infra-<stack>` (deploy) and
`infra-drift-<stack>` (drift), which the bootstrap creates in `repository` with the `github` settings validated
exactly as the main stacks' `platform:github` (components/github/config.py).

No provider import: the bootstrap validates its config before any resource is registered, like the main program.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.concern import Environment, full_match, shown
from components.github.config import GitHubConfig, Plan, ReviewersConfig, Visibility, check_repository
from components.naming import IAM_ROLE
from components.state_backend.identities import DEPLOY_ROLE_PREFIX, resource_prefix

PROJECT = "platform-bootstrap"
# Pulumi stack names: letters, digits, '-', '_' and '.' (pulumi stack init); the longest that still fits the deploy
# role's name (`platform-infra-deploy-<stack>`, 64 characters at most: IAM CreateRole RoleName).
MAX_STACK_NAME = IAM_ROLE.limit - len(DEPLOY_ROLE_PREFIX)
_STACK = re.compile(rf"[A-Za-z0-9_.-]{{1,{MAX_STACK_NAME}}}")
# The keys the bootstrap no longer has, and why (refused with the reason, not as an unknown key).
REMOVED_KEYS = {
    "read_only_pull_requests": "removed: pull requests get the offline plan and diff (python -m ops plan), which "
    "need no credentials; a pull-request identity that can read state decrypts every state secret through the "
    "state key, so no role trusts pull_request any more (docs/state-backend.md)",
}
# An IAM role or user ARN (an SSO permission set's role counts: aws:PrincipalArn is the role's ARN).
_PRINCIPAL = re.compile(r"arn:aws(?:-cn|-us-gov)?:iam::[0-9]{12}:(?:role|user)/[A-Za-z0-9+=,.@_/-]{1,512}")
# S3 bucket names: 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit.
_BUCKET = re.compile(r"[a-z0-9](?:[a-z0-9.-]{1,61})[a-z0-9]")
_ALIAS = re.compile(r"[a-zA-Z0-9/_-]{1,250}")
_TAG_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,127}")


class InfraGitHubConfig(BaseModel):
    """`platform-bootstrap:github`: what the repository's plan allows in the infra environments."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    plan: Plan = Field(
        description="The GitHub plan of the repository's owner: free, pro, team or enterprise (as "
        "platform:github.plan).",
        examples=["enterprise"],
    )
    visibility: Visibility = Field(
        description="The repository's visibility: public, private or internal (as platform:github.visibility).",
        examples=["private"],
    )
    reviewers: ReviewersConfig = Field(
        default_factory=ReviewersConfig,
        description="Required reviewers of the infra-<stack> environment of prod-environment stacks (users or teams "
        "by numeric id; where the plan has them, at least one). Preview and drift environments have none.",
        examples=[{"teams": [1234567]}],
    )


class BootstrapConfig(BaseModel):
    """Validated `platform-bootstrap:*` config."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    repository: str = Field(
        description="The repository whose Actions deploy, as 'owner/name' (exact case): the app's repository, "
        "which holds the infrastructure code too. The bootstrap creates the infra-<stack> and infra-drift-<stack> "
        "environments in it.",
        examples=["example-org/web-app"],
    )
    stacks: list[str] = Field(
        description="The platform stacks this AWS account hosts, e.g. [prod]. Each gets a deploy role "
        "platform-infra-deploy-<stack> and the environments infra-<stack> and infra-drift-<stack>. One account per "
        "environment: stacks of both need shared_account_acknowledged.",
        examples=[["prod"]],
    )
    environments: dict[str, Literal["preview", "prod"]] = Field(
        default_factory=dict,
        description="Only for a hosted stack whose name names no environment (neither 'prod' nor 'preview' as a "
        "'-', '_' or '.' separated part): its environment, as its platform:environment says.",
    )
    shared_account_acknowledged: bool = Field(
        default=False,
        description="Required true when the hosted stacks span environments (preview and prod in one account): the "
        "preview deploy role can then change prod's resources and read prod's state (docs/state-backend.md).",
    )
    github: InfraGitHubConfig = Field(
        description="What the repository's plan allows for the infra-<stack> environments the bootstrap creates: "
        "plan, visibility and the reviewers of prod-environment stacks, validated as platform:github is.",
        examples=[{"plan": "enterprise", "visibility": "private", "reviewers": {"teams": [1234567]}}],
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
        examples=["cc-1001-prod"],
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

    @field_validator("stacks")
    @classmethod
    def _stacks(cls, value: list[str]) -> list[str]:
        if not value:
            raise PydanticCustomError("stacks", "must name at least one stack (e.g. [prod])")
        for stack in value:
            if not full_match(_STACK, stack):
                raise PydanticCustomError(
                    "stacks",
                    "{stack} is not a stack name: 1-{limit} letters, digits, '-', '_' or '.' (the deploy role "
                    "platform-infra-deploy-<stack> must fit IAM's 64 characters)",
                    {"stack": shown(stack), "limit": MAX_STACK_NAME},
                )
            if resource_prefix(stack).startswith("platform-infra-"):
                raise PydanticCustomError(
                    "stacks", "{stack}: its name prefix platform-infra-... is the bootstrap's own (its roles and "
                    "the boundary); name the stack otherwise", {"stack": shown(stack)})
        if len({s.lower() for s in value}) != len(value):
            raise PydanticCustomError("stacks", "lists a stack twice (IAM role names are unique case-insensitively)")
        return value

    @model_validator(mode="after")
    def _layout(self) -> BootstrapConfig:
        from components.stack import environment_of_stack  # noqa: PLC0415 - the main loader's rule, loaded late

        for stack, _ in self.environments.items():
            if stack not in self.stacks:
                raise PydanticCustomError(
                    "environments", "names {stack}, which is not in stacks", {"stack": shown(stack)})
            if environment_of_stack(stack):
                raise PydanticCustomError(
                    "environments", "{stack}: its name already names its environment; remove it here",
                    {"stack": shown(stack)})
        for stack in self.stacks:
            named = environment_of_stack(stack)
            if len(named) > 1:
                raise PydanticCustomError(
                    "stacks", "{stack} names both preview and prod; name a stack after one environment",
                    {"stack": shown(stack)})
            if not named and stack not in self.environments:
                raise PydanticCustomError(
                    "stacks", "{stack} names no environment: add it to environments ({stack}: prod or preview, as "
                    "its platform:environment says)", {"stack": shown(stack)})
        spans = sorted(set(self.environment_of.values()))
        if len(spans) > 1 and not self.shared_account_acknowledged:
            raise PydanticCustomError(
                "shared_account",
                "stacks {stacks} span environments ({spans}) in one AWS account: the preview deploy role "
                "(PowerUserAccess) could then change prod's resources and data in this account (everything but IAM "
                "outside its own name prefix, the state bucket's guards and the bootstrap's roles), and read and "
                "write prod's state and decrypt its secrets (one state bucket and key per account). Use one account "
                "per environment (one bootstrap each), or set platform-bootstrap:shared_account_acknowledged: true "
                "to accept that (docs/state-backend.md)",
                {"stacks": ", ".join(self.stacks), "spans": " and ".join(spans)},
            )
        for environment in spans:
            # The infra-<stack> environments hold what platform:github would hold for that environment.
            try:
                GitHubConfig.model_validate(
                    {"repository": self.repository, "plan": self.github.plan, "visibility": self.github.visibility,
                     "reviewers": self.github.reviewers if environment == "prod" else ReviewersConfig(),
                     "prevent_self_review": True},
                    context={"environment": environment},
                )
            except ValidationError as error:
                first = error.errors(include_url=False)[0]
                raise PydanticCustomError(
                    "github", "for the {environment} stacks' infra environments: {message}",
                    {"environment": environment, "message": first["msg"]},
                ) from None
        return self

    @property
    def environment_of(self) -> dict[str, Environment]:
        """Each hosted stack's environment: from its name (components/stack.py's rule), else `environments`."""
        from components.stack import environment_of_stack  # noqa: PLC0415

        result: dict[str, Environment] = {}
        for stack in self.stacks:
            named = environment_of_stack(stack)
            result[stack] = next(iter(named)) if len(named) == 1 else self.environments.get(stack, "prod")
        return result

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
    data: dict[str, Any] = {}
    removed = []
    for key, value in own.items():
        if key in REMOVED_KEYS:
            removed.append(f"{PROJECT}:{key}: {REMOVED_KEYS[key]}; delete the key")
            continue
        data[key] = _decoded(key, value)
    try:
        config = BootstrapConfig.model_validate(data)
    except ValidationError as error:
        problems = [p.replace(f"{PROJECT}.", f"{PROJECT}:", 1) for p in _describe(error, PROJECT, BootstrapConfig)
                    if not p.startswith(f"{PROJECT} = ")]
        # The cross-key checks (the model validator) name the key they are about, without echoing the whole map.
        problems += [f"{PROJECT}:{_LAYOUT_KEYS.get(item['type'], item['type'])}: {item['msg']}"
                     for item in error.errors(include_url=False) if not item["loc"]]
        raise ConfigError(stack, removed + problems) from None
    if removed:
        raise ConfigError(stack, removed)
    return config


_LAYOUT_KEYS = {"shared_account": "shared_account_acknowledged"}


def _decoded(key: str, value: Any) -> Any:
    """The engine hands arrays, objects and booleans over as JSON text; anything else is reported by the model."""
    if key in ("stacks", "environments", "github", "shared_account_acknowledged") and isinstance(value, str):
        with contextlib.suppress(json.JSONDecodeError, RecursionError):
            return json.loads(value)
    return value


def load_bootstrap_config() -> BootstrapConfig:
    raw = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return build_bootstrap_config(raw, stack=pulumi.get_stack())
