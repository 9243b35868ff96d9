"""Pulumi.yaml and Pulumi.<stack>.yaml, read and checked the way the Pulumi CLI does.

The program receives config as the language host does: a map of `namespace:key` to strings, where
scalars are their text and lists/mappings are JSON. Encrypted (`secure:`) values cannot be
decrypted offline; the program gets a placeholder, the key is marked secret and a warning is kept.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PlannerConfigError
from .model import StackFile
from .yamlfile import YamlFileError, read_yaml

# What a program sees for a `secure:` value. Deliberately a plausible string: the program may
# check a secret's length or shape, and an empty value would fail for the wrong reason.
SECRET_PLACEHOLDER = "ops-plan-offline-secret-placeholder"

_DECL_KEYS = frozenset({"type", "default", "description", "secret", "items", "value"})
_TYPES = ("string", "integer", "boolean", "array")
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


@dataclass(frozen=True)
class ConfigDecl:
    """One entry of Pulumi.yaml's `config:` block, keyed by its full `namespace:name`."""

    key: str
    project_key: str  # as written in Pulumi.yaml, used in the CLI's messages
    type: str | None = None
    items_type: str | None = None
    default: Any = None
    has_default: bool = False
    secret: bool = False
    description: str | None = None


@dataclass(frozen=True)
class Project:
    name: str
    directory: Path
    main: Path  # the program: a directory holding __main__.py, or a .py file
    runtime: str
    description: str | None
    config: dict[str, ConfigDecl]


def _read_yaml(path: Path, what: str) -> Any:
    try:
        return read_yaml(path, what)
    except YamlFileError as exc:
        raise PlannerConfigError(str(exc)) from None


def load_project(program_dir: Path) -> Project:
    """Read `<program_dir>/Pulumi.yaml`."""
    path = program_dir / "Pulumi.yaml"
    if not path.exists() and (program_dir / "Pulumi.yml").exists():
        path = program_dir / "Pulumi.yml"
    data = _read_yaml(path, "project file")
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"]:
        raise PlannerConfigError(f"project file {path} must be a mapping with a `name`")
    name: str = data["name"]
    runtime = data.get("runtime", "python")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    main = program_dir / str(data["main"]) if data.get("main") else program_dir
    decls = _parse_project_config(name, data.get("config") or {}, path)
    description = data.get("description")
    return Project(
        name=name,
        directory=program_dir,
        main=main,
        runtime=str(runtime_name),
        description=description if isinstance(description, str) else None,
        config=decls,
    )


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _parse_project_config(project: str, block: Any, path: Path) -> dict[str, ConfigDecl]:
    if not isinstance(block, dict):
        raise PlannerConfigError(f"`config` in {path} must be a mapping")
    decls: dict[str, ConfigDecl] = {}
    for raw_key, spec in block.items():
        key = str(raw_key)
        full = _full_key(project, key)
        if isinstance(spec, dict) and spec and set(spec) <= _DECL_KEYS:
            typ = spec.get("type")
            if typ is not None and typ not in _TYPES:
                raise PlannerConfigError(
                    f"config key '{key}' in {path} has unsupported type '{typ}' (expected one of {', '.join(_TYPES)})"
                )
            items = spec.get("items")
            items_type = items.get("type") if isinstance(items, dict) else None
            has_default = "default" in spec or "value" in spec
            default = spec.get("default", spec.get("value"))
            decl = ConfigDecl(
                key=full,
                project_key=key,
                type=typ,
                items_type=items_type,
                default=default,
                has_default=has_default,
                secret=bool(spec.get("secret", False)),
                description=spec.get("description"),
            )
            if has_default and typ is not None and not _type_ok(typ, items_type, default):
                raise PlannerConfigError(
                    f"the default of config key '{key}' in {path} must be of type '{_type_name(decl)}'"
                )
        else:
            # A plain value (e.g. `aws:region: us-west-2`) is a default for the stack's config.
            decl = ConfigDecl(key=full, project_key=key, default=spec, has_default=True)
        decls[full] = decl
    return decls


def _type_name(decl: ConfigDecl) -> str:
    if decl.type == "array" and decl.items_type:
        return f"array<{decl.items_type}>"
    return str(decl.type)


def _is_int_text(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, str):
        try:
            int(value, 10)
        except ValueError:
            return False
        return True
    return False


_TYPE_CHECKS = {
    "string": lambda v: v is not None and not isinstance(v, (list, dict)),
    "integer": _is_int_text,
    "boolean": lambda v: isinstance(v, bool) or (isinstance(v, str) and v in _TRUE | _FALSE),
}


def _type_ok(typ: str, items_type: str | None, value: Any) -> bool:
    """The CLI's `ValidateConfigValue`: stack scalars are text, so numeric/boolean text passes."""
    if typ == "array":
        if not isinstance(value, list):
            return False
        return items_type is None or all(_type_ok(items_type, None, v) for v in value)
    check = _TYPE_CHECKS.get(typ)
    return check(value) if check else True


def to_wire(value: Any) -> str:
    """The string the language host hands the program for one config value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    # Go's json.Marshal: compact, map keys sorted.
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _strip_secure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: ...}` (also nested, as `config set --path --secret` writes) by placeholders."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out: dict[str, Any] = {}
        for k, v in value.items():
            out[str(k)], nested = _strip_secure(v)
            found = found or nested
        return out, found
    if isinstance(value, list):
        items = [_strip_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def default_stack_file(program_dir: Path, stack: str) -> Path:
    return program_dir / f"Pulumi.{stack}.yaml"


def _stack_values(raw: dict[Any, Any]) -> tuple[dict[str, Any], set[str], list[str]]:
    values: dict[str, Any] = {}
    encrypted: set[str] = set()
    errors: list[str] = []
    for raw_key, raw_value in raw.items():
        key = str(raw_key)
        if ":" not in key or key.startswith(":") or key.endswith(":"):
            errors.append(
                f"could not parse '{key}' as a configuration key "
                "(configuration keys should be of the form `<namespace>:<name>`)"
            )
            continue
        value, was_secure = _strip_secure(raw_value)
        values[key] = value
        if was_secure:
            encrypted.add(key)
    return values, encrypted, errors


def _apply_project_config(project: Project, stack: str, values: dict[str, Any], encrypted: set[str]) -> list[str]:
    """Fill in the project's defaults and check declared keys, collecting every error."""
    errors: list[str] = []
    missing: list[str] = []
    for decl in project.config.values():
        if decl.key not in values:
            if decl.has_default:
                values[decl.key] = decl.default
            else:
                missing.append(decl.project_key)
            continue
        if decl.secret and decl.key not in encrypted:
            errors.append(
                f"Stack '{stack}' with configuration key '{decl.project_key}' must be encrypted as it's secret"
            )
        # An encrypted value's plaintext is unknown offline, so its type cannot be checked.
        if decl.type and decl.key not in encrypted and not _type_ok(decl.type, decl.items_type, values[decl.key]):
            errors.append(
                f"Stack '{stack}' with configuration key '{decl.project_key}' must be of type '{_type_name(decl)}'"
            )
    if missing:
        plural = "s" if len(missing) > 1 else ""
        errors.append(f"Stack '{stack}' is missing configuration value{plural} {', '.join(missing)}")
    return errors


#: The bootstrap program's project (bootstrap/Pulumi.yaml): it creates the state backend and the secrets provider
#: the platform stacks use, and keeps its own state with the administrator (docs/state-backend.md).
BOOTSTRAP_PROJECT = "platform-bootstrap"


def shown_path(path: Path) -> str:
    """A path as a person typed it: relative to the working directory when inside it (bootstrap/Pulumi.prod.yaml)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def secrets_provider_warnings(stack: str, path: Path, data: dict[Any, Any], project: str = "") -> list[str]:
    """What a real `pulumi up` of this stack file would do for its secrets manager, when that is not what it wants.

    The engine's rule (pulumi/pulumi, pkg/cmd/pulumi/stack/secrets.go, `SecretsManagerLoader.GetSecretsManager`):
    a `secretsprovider` other than `passphrase`/`default` selects that cloud provider (its data key is
    `encryptedkey`: without it a new data key is generated, and the file's `secure:` values, written under the
    old one, no longer decrypt); else an `encryptionsalt` selects the passphrase provider; else, only when
    PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER is true (sdk/go/common/env/env.go, added in pulumi/pulumi#17236) and
    the state holds a snapshot, the snapshot's secrets manager; otherwise the backend's default, which for the S3
    (DIY) backend is the passphrase provider: a CI run without PULUMI_CONFIG_PASSPHRASE stops there. The
    workflows set the variable on every Pulumi step; committing the two lines makes the stack file say it."""
    provider = data.get("secretsprovider")
    provider = provider if isinstance(provider, str) else ""
    shown = shown_path(path)
    if project == BOOTSTRAP_PROJECT:
        if provider in {"", "default"} and not data.get("encryptionsalt"):
            return [
                f"stack file {shown} has no `secretsprovider` or `encryptionsalt` yet: the bootstrap creates the "
                "platform stacks' secrets provider, so it cannot use it; its own state stays with the administrator "
                "(docs/state-backend.md, 'The bootstrap's own state'): `cd bootstrap && pulumi login --local && "
                f"pulumi stack select {stack} --create` (the passphrase provider, which writes `encryptionsalt`; "
                "or Pulumi Cloud's own provider)"
            ]
        return []
    if provider in {"", "default"} and not data.get("encryptionsalt"):
        return [
            f"stack file {shown} has no `secretsprovider`: a real `pulumi up` in CI would fall back to the "
            "passphrase provider (or, with PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true, to the one recorded in "
            f"an existing state): run `pulumi stack init {stack} --secrets-provider <the bootstrap's "
            "secrets_provider>` and commit the `secretsprovider` and `encryptedkey` lines it writes"
        ]
    if provider not in {"", "default", "passphrase"} and not data.get("encryptedkey"):
        return [
            f"stack file {shown} has `secretsprovider` but no `encryptedkey`: a real `pulumi up` would generate "
            "a new data key, under which the file's existing `secure:` values do not decrypt: commit the "
            "`encryptedkey` line `pulumi stack init` wrote"
        ]
    return []


def _known_stacks(directory: Path, stack: str) -> str:
    """` Did you mean prod? The stacks here: preview, prod.`, from the stack files beside Pulumi.yaml."""
    from .stacks import stack_files  # noqa: PLC0415 - only for this message

    stacks = sorted(stack_files(directory))
    if not stacks:
        return " There is no stack file (Pulumi.<stack>.yaml) here."
    close = difflib.get_close_matches(stack, stacks, n=1, cutoff=0.6)
    meant = f" Did you mean {close[0]}?" if close else ""
    return f"{meant} The stacks here: {', '.join(stacks)}."


def read_stack_file(project: Project, stack: str, path: Path | None = None) -> StackFile:
    """Read a stack file, apply the project's defaults and check declared types like the CLI."""
    default = default_stack_file(project.directory, stack)
    path = path or default
    if not path.exists():
        known = "" if path != default else _known_stacks(project.directory, stack)
        raise PlannerConfigError(
            f"stack config file not found: {path}.{known} Create it to add the stack "
            f"(docs/configuration.md#adding-a-stack), or pass --config FILE for stack '{stack}'."
        )
    data = _read_yaml(path, "stack config file")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlannerConfigError(f"stack config file {path} must be a mapping")
    raw = data.get("config") or {}
    if not isinstance(raw, dict):
        raise PlannerConfigError(f"`config` in stack config file {path} must be a mapping")

    values, encrypted, errors = _stack_values(raw)
    errors += _apply_project_config(project, stack, values, encrypted)
    if errors:
        raise PlannerConfigError("; ".join(errors))

    warnings: list[str] = [*secrets_provider_warnings(stack, path, data, project.name)]
    if data.get("environment"):
        warnings.append(f"stack '{stack}' imports ESC environments; they cannot be opened offline and are ignored")
    warnings += [
        f"config value '{key}' is encrypted and cannot be decrypted offline; "
        "the program sees a placeholder (kept secret)"
        for key in sorted(encrypted)
    ]
    return StackFile(
        stack=stack,
        path=path,
        values=values,
        wire={k: to_wire(v) for k, v in values.items()},
        secret_keys=set(encrypted),
        encrypted_keys=encrypted,
        warnings=warnings,
    )
