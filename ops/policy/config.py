"""Policy configuration exactly as `pulumi preview --policy-pack-config <file>` reads and reconciles it.

Mirrors pkg/resource/analyzer/config.go: `parsePolicyPackConfig` (the file), `ReconcilePolicyPackConfig`
(schema defaults, then the pack's initial config, then the file, each through `applyConfig`) and
`validatePolicyConfig` (each policy's properties against its JSON schema, with gojsonschema there and the
`jsonschema` package here). Two consequences a policy author sees:
- in the pack's `initial_config`, an entry without a level arrives over the protocol as ADVISORY (proto3's
  zero value, `convertEnforcementLevel` in analyzer_plugin.go), so it downgrades the policy; the plan warns;
- in the config file, an entry without a level keeps the level the policy already had.
Unknown policy names in the file are ignored by the engine: a warning here, not an error.

No SDK imports; `jsonschema` is imported only when a config is validated.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PlannerConfigError
from ..model import LEVELS, PolicyConfigEntry, PolicyInfo


def _level(value: Any, name: str, source: str) -> str:
    if not isinstance(value, str):
        raise PlannerConfigError(
            f"policy config {source}: parsing enforcement level for {name!r}: {value!r} is not a valid "
            "enforcement level; must be a string"
        )
    if value not in LEVELS:
        raise PlannerConfigError(
            f"policy config {source}: parsing enforcement level for {name!r}: {value!r} is not a valid "
            f"enforcement level (expected one of {', '.join(LEVELS)})"
        )
    return value


def parse_policy_config(data: Any, source: str) -> dict[str, PolicyConfigEntry]:
    """The CLI's `parsePolicyPackConfig`: a level string or an object with an optional `enforcementLevel`."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlannerConfigError(f"policy config {source} must be a JSON object")
    if "environments" in data:
        # The CLI resolves these ESC environments through the Pulumi Cloud backend.
        raise PlannerConfigError(
            f"policy config {source} names ESC environments (`environments`); they cannot be opened offline. "
            "Remove the key for an offline plan."
        )
    result: dict[str, PolicyConfigEntry] = {}
    for name, value in data.items():
        if isinstance(value, str):
            result[name] = PolicyConfigEntry(_level(value, name, source))
        elif isinstance(value, dict):
            props = dict(value)
            level = _level(props.pop("enforcementLevel"), name, source) if "enforcementLevel" in props else None
            if level is None and not props:
                continue  # "Don't bother including empty configs."
            result[name] = PolicyConfigEntry(level, props)
        else:
            raise PlannerConfigError(
                f"policy config {source}: parsing {name!r}: {json.dumps(value)} is not a valid value; "
                "must be a string or object"
            )
    return result


def read_policy_config(path: Path) -> dict[str, PolicyConfigEntry]:
    """Read a `--policy-pack-config` file. Empty content is allowed, as in the CLI."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PlannerConfigError(f"policy config file not found: {path}") from None
    except OSError as exc:
        raise PlannerConfigError(f"cannot read policy config {path}: {exc.strerror or exc}") from None
    from ..yamlfile import YamlFileError, decode_utf8  # noqa: PLC0415 - keeps yaml out of the schema helper

    try:
        text = decode_utf8(data, "policy config", path)
    except YamlFileError as exc:
        raise PlannerConfigError(str(exc)) from None
    if not text.strip():
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlannerConfigError(f"malformed JSON in policy config {path}: {exc}") from None
    except ValueError as exc:  # an integer beyond Python's conversion limit
        raise PlannerConfigError(f"policy config {path}: {exc}") from None
    except RecursionError:
        raise PlannerConfigError(f"policy config {path}: nesting too deep") from None
    not_numbers = list(_non_finite(parsed, ()))
    if not_numbers:
        raise PlannerConfigError("; ".join(
            # The engine reads the file with Go's encoding/json, which refuses both at parse time; offline they
            # would reach the pack's Configure and fail there ("Fail to serialize NaN").
            f"policy config {path}: {'.'.join(keys) or '(the document)'} = {text}: not a JSON number (JSON has no "
            "NaN or Infinity, and the engine's Go decoder refuses them, as it does a number beyond a float's range); "
            "write a number"
            for keys, text in not_numbers
        ))
    return parse_policy_config(parsed, str(path))


def _non_finite(value: Any, keys: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """Where Python's JSON reader took `NaN`, `Infinity` or an out-of-range number (1e999): the key path, the value.
    Iterative: the document may nest as deep as the reader allowed."""
    todo = [(keys, value)]
    while todo:
        path, item = todo.pop()
        if isinstance(item, float) and not math.isfinite(item):
            yield path, "NaN" if math.isnan(item) else ("-" if item < 0 else "") + "Infinity"
        elif isinstance(item, dict):
            todo.extend(((*path, str(key)), child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            todo.extend(((*path, str(index)), child) for index, child in reversed(list(enumerate(item))))


@dataclass
class ReconciledConfig:
    """What Configure sends (one explicit level per policy), and what the plan should warn about."""

    policies: dict[str, PolicyConfigEntry]
    warnings: list[str] = field(default_factory=list)


def _apply(result: dict[str, PolicyConfigEntry], config: Mapping[str, PolicyConfigEntry]) -> None:
    """`applyConfig`: `all` sets every level first; then each entry's level (if any) and merged properties."""
    everything = config.get("all")
    if everything is not None and everything.level is not None:
        for name, entry in result.items():
            result[name] = PolicyConfigEntry(everything.level, entry.properties)
    for name, given in config.items():
        if name == "all" or name not in result:
            continue
        current = result[name]
        result[name] = PolicyConfigEntry(given.level or current.level, {**current.properties, **given.properties})


def reconcile_policy_config(
    policies: list[PolicyInfo],
    initial: Mapping[str, PolicyConfigEntry],
    user: Mapping[str, PolicyConfigEntry],
    *,
    source: str = "policy config",
) -> ReconciledConfig:
    """`ReconcilePolicyPackConfig`: schema defaults and own levels, then `initial`, then the user's file.

    `initial` comes off the wire, so each of its entries has a level (ADVISORY when the pack set none).
    """
    known = {p.name for p in policies}
    warnings = [
        f"{source} names policy {name!r}, which the pack does not have; the engine ignores it"
        for name in sorted(k for k in user if k != "all" and k not in known)
    ]
    result = {
        p.name: PolicyConfigEntry(
            p.level,
            {k: v["default"] for k, v in p.schema_properties.items() if isinstance(v, dict) and "default" in v},
        )
        for p in policies
    }
    _apply(result, initial)
    for p in policies:
        entry = initial.get(p.name)
        if entry is not None and entry.level == "advisory" and p.level not in ("advisory", "disabled"):
            warnings.append(
                f"the pack's initial_config for {p.name!r} has no enforcement level, which the engine reads as "
                f"advisory: the policy is downgraded from {p.level} to advisory unless a policy config sets a level"
            )
    _apply(result, user)
    return ReconciledConfig(result, warnings)


def validate_policy_config(
    policies: list[PolicyInfo], effective: Mapping[str, PolicyConfigEntry], pack: str, version: str
) -> list[str]:
    """`validatePolicyPackConfig`: each policy's properties against `{type: object, properties, required}`.

    Returns the engine's messages, sorted: `validating policy config: <pack> <version>  <policy>: <error>`.
    """
    # ~0.1 s to import: only now, and only if some policy has a schema.
    import jsonschema  # noqa: PLC0415

    errors: list[str] = []
    for p in policies:
        errors += _unknown_property_errors(p, effective, pack, version)
        if not p.has_schema:
            continue
        properties = dict(p.schema_properties)
        # The engine injects this into every schema (GetAnalyzerInfo in analyzer_plugin.go).
        properties["enforcementLevel"] = {"type": "string", "enum": list(LEVELS)}
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if p.required:
            schema["required"] = list(p.required)
        props = effective[p.name].properties if p.name in effective else {}
        validator = jsonschema.Draft7Validator(schema)
        for err in sorted(validator.iter_errors(props), key=lambda e: list(e.absolute_path)):
            where = ".".join(str(part) for part in err.absolute_path)
            text = f"{where}: {err.message}" if where else err.message
            errors.append(f"validating policy config: {pack} {version}  {p.name}: {text}")
    return sorted(errors)


def _unknown_property_errors(
    policy: PolicyInfo, effective: Mapping[str, PolicyConfigEntry], pack: str, version: str
) -> list[str]:
    """A property the policy does not declare: a typo'd threshold (`minimumRetentionDay`) would otherwise be
    ignored and the policy would keep its default. The engine cannot refuse it: the protocol's PolicyConfigSchema
    carries only `properties` and `required`, and `convertSchema` (pkg/resource/analyzer/config.go) builds
    `{type: object, properties, required}` without `additionalProperties`; the pack refuses it in Configure
    (policies/baseline/config_keys.py), and this says so before the plan runs."""
    given = effective[policy.name].properties if policy.name in effective else {}
    known = set(policy.schema_properties)
    unknown = sorted(key for key in given if key not in known)
    messages = []
    for key in unknown:
        if known:
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            allowed = f"{hint}its properties are {', '.join(sorted(known))}"
        else:
            allowed = "it takes no properties, only enforcementLevel"
        messages.append(f"validating policy config: {pack} {version}  {policy.name}: {key}: unknown property "
                        f"(the policy would ignore it and keep its default); {allowed}")
    return messages
