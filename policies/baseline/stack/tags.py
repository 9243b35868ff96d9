"""Required tags on every taggable AWS resource: the resource's own `tags` merged over its provider's
`defaultTags.tags` (what AWS ends up with: `tagsAll`).

Taggable = the type's Pulumi args have a `tags` input. That set is derived once from the installed pulumi_aws SDK
and stored as data (`aws_taggable.json`, both the taggable and the untaggable tokens, with the SDK version):

    cd policies && ../.venv/bin/python -m baseline.stack.tags --write

It cannot silently pass: an `aws:` type in neither list (a newer SDK than the data) is a violation that asks for
the data to be regenerated; tests/policies/stack/test_tags.py fails when the data is not the installed SDK's.

The provider: `PolicyResource.provider` (pulumi_policy 1.21) carries the provider's inputs, so `defaultTags` is
read from the provider the resource actually uses (a default provider has none). Unknown tag maps (computed at
preview) are judged at `up`; an unknown value of a present key counts as set.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

from pulumi_policy import PolicyConfigSchema, PolicyResource, Severity, StackValidationArgs

from ..common import UNKNOWN, About, as_list, get, has_key, is_set, stack_policy
from ..refs import platform

DATA: Final = Path(__file__).with_name("aws_taggable.json")
STACK: Final = "pulumi:pulumi:Stack"
REQUIRED_TAGS: Final = ("environment", "owner", "cost-center", "managed-by")

_SCHEMA = PolicyConfigSchema(
    properties={
        "requiredTags": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 128},
            "minItems": 1,
            "uniqueItems": True,
            "default": list(REQUIRED_TAGS),
        }
    }
)


@cache
def taggable_data() -> dict[str, Any]:
    return json.loads(DATA.read_text())


def derive_from_sdk(sdk_dir: Path) -> dict[str, Any]:
    """Scan the generated pulumi_aws sources: each `@pulumi.type_token(...)` CustomResource class and whether its
    `<Class>Args.__init__` has a `tags` parameter. Generated code has exactly this shape."""
    token_re = re.compile(r'@pulumi\.type_token\("(aws:[^"]+)"\)\nclass (\w+)\(pulumi\.CustomResource\)')
    taggable: set[str] = set()
    untaggable: set[str] = set()
    for path in sorted(sdk_dir.rglob("*.py")):
        text = path.read_text()
        for token, cls in token_re.findall(text):
            signature = re.search(rf"class {cls}Args:\n    def __init__\(__self__,(.*?)\):", text, re.DOTALL)
            (taggable if signature and re.search(r"\btags:", signature.group(1)) else untaggable).add(token)
    version = ""
    version_file = sdk_dir / "pulumi-plugin.json"
    if version_file.exists():
        version = str(json.loads(version_file.read_text()).get("version", ""))
    return {"pulumi_aws": version, "taggable": sorted(taggable), "untaggable": sorted(untaggable)}


def _required(config: Any) -> list[str]:
    items = as_list(get(config, "requiredTags"))
    names = [t for t in items if isinstance(t, str) and t] if isinstance(items, list) else []
    return names or list(REQUIRED_TAGS)


def _tag_keys(tags: Any) -> set[str] | None:
    """The keys of a tag map (None when the map itself is unknown)."""
    if tags is UNKNOWN:
        return None
    if not isinstance(tags, Mapping):
        return set()
    return {k for k in tags if isinstance(k, str) and is_set(get(tags, k))}


def _provider_tags(resource: PolicyResource) -> set[str] | None:
    provider = resource.provider
    if provider is None:
        return set()
    return _tag_keys(get(provider.props, "defaultTags", "tags"))


def _check(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    required = _required(args.get_config())
    data = taggable_data()
    taggable, untaggable = set(data["taggable"]), set(data["untaggable"])
    for resource in args.resources:
        type_ = resource.resource_type
        if not isinstance(type_, str) or not type_.startswith("aws:"):
            continue
        if type_ in untaggable:
            continue
        if type_ not in taggable:
            yield (
                f"{resource.name}: {type_} is not in aws_taggable.json (pulumi_aws {data['pulumi_aws']}): cannot tell "
                "whether it takes tags; regenerate with `python -m baseline.stack.tags --write`.",
                resource.urn,
            )
            continue
        own = _tag_keys(get(resource.props, "tags")) if has_key(resource.props, "tags") else set()
        inherited = _provider_tags(resource)
        if own is None or inherited is None:
            continue  # computed at preview: judged at `up`
        missing = [t for t in required if t not in own | inherited]
        if missing:
            yield (
                f"{resource.name}: missing required tag(s) {', '.join(missing)} (neither in its `tags` nor in its "
                "provider's `defaultTags`).",
                resource.urn,
            )


RESOURCE_TYPE = STACK
"""Stack-wide: every AWS resource of the stack."""

POLICIES = [
    stack_policy(
        About(
            name="stack-require-tags",
            description="Every taggable AWS resource must carry the required tags (policy config requiredTags; "
            "default environment, owner, cost-center, managed-by), directly or through its provider's defaultTags.",
            refs=(platform("tagging baseline"),),
            control="required tags on every taggable resource (ownership, cost allocation)",
            severity=Severity.LOW,
            remediation="Tag the resource (`tags={...}`) or set `default_tags={'tags': {...}}` on its AWS provider; "
            "components take tags from `components/base.py`.",
            tags=("stack", "tagging"),
            url="https://docs.aws.amazon.com/whitepapers/latest/tagging-best-practices/tagging-best-practices.html",
        ),
        _check,
        config_schema=_SCHEMA,
    ),
]


def _sdk_dir() -> Path:
    import pulumi_aws  # noqa: PLC0415 - tooling only; the pack never imports the SDK

    return Path(pulumi_aws.__file__).parent


if __name__ == "__main__":
    derived = derive_from_sdk(_sdk_dir())
    if sys.argv[1:] == ["--write"]:
        DATA.write_text(json.dumps(derived, indent=0) + "\n")
    else:
        print(json.dumps({k: len(v) if isinstance(v, list) else v for k, v in derived.items()}))
