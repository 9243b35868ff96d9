"""Property values in the engine's wire form, and the two views the planner derives from them.

The wire form is what `google.protobuf.json_format.MessageToDict` makes of a `Struct` the SDK sent:
plain JSON values plus signature-tagged objects (secrets, resource references, assets, archives,
output values) and the UNKNOWN sentinel string. This module deliberately imports nothing from the
Pulumi SDK so the CLI and the report stay cheap to import.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from functools import cache
from pathlib import Path, PurePath
from typing import Any

# Sentinels and signatures, copied from pulumi/runtime/rpc.py (the SDK is the contract).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"

SECRET_TEXT = "[secret]"
UNKNOWN_TEXT = "[unknown]"


def secret(value: Any) -> dict[str, Any]:
    """Wrap a wire value as a secret, the way the engine marshals one."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def _sig(value: Any) -> str | None:
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if isinstance(sig, str):
            return sig
    return None


def _engine_output_value(value: dict[str, Any]) -> Any:
    inner = _to_engine(value["value"]) if "value" in value else UNKNOWN
    return secret(inner) if value.get("secret") else inner


def _engine_resource_ref(value: dict[str, Any]) -> Any:
    # A custom resource's reference carries an "id" (UNKNOWN while it is being created).
    if "id" in value:
        ref_id = value["id"]
        return UNKNOWN if ref_id in ("", None) else _to_engine(ref_id)
    return _to_engine(value.get("urn", UNKNOWN))


def _to_engine(value: Any) -> Any:
    if isinstance(value, list):
        return [_to_engine(v) for v in value]
    if not isinstance(value, dict):
        return value
    sig = _sig(value)
    if sig == SECRET_SIG:
        return secret(_to_engine(value.get("value")))
    if sig == RESOURCE_SIG:
        return _engine_resource_ref(value)
    if sig == OUTPUT_VALUE_SIG:
        return _engine_output_value(value)
    return {k: _to_engine(v) for k, v in value.items()}


def to_engine(value: Any, *, skip_internal_keys: bool = True) -> Any:
    """Turn SDK wire values into what the engine marshals for an analyzer.

    Mirrors `MarshalProperties(KeepUnknowns, KeepSecrets, SkipInternalKeys)` without KeepResources:
    resource references collapse to their id (the URN for components), output values become their plain
    (possibly secret) value or UNKNOWN. `__`-prefixed keys are dropped at the top level only, as in
    sdk/go/common/resource/plugin/rpc.go ("Only skip top level internal keys"): a nested `__audit` tag
    reaches the policy. Remediate is sent with SkipInternalKeys false.
    """
    if skip_internal_keys and isinstance(value, dict) and _sig(value) is None:
        return {k: _to_engine(v) for k, v in value.items() if not k.startswith("__")}
    return _to_engine(value)


def is_secret(value: Any) -> bool:
    return _sig(value) == SECRET_SIG


def _display_scalar(value: Any) -> Any:
    if isinstance(value, str):
        return UNKNOWN_TEXT if value == UNKNOWN else value
    # Struct numbers are doubles; show whole numbers as the integers the program wrote.
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _display_tagged(sig: str, value: dict[str, Any]) -> Any:
    if sig == SECRET_SIG or (sig == OUTPUT_VALUE_SIG and value.get("secret")):
        return SECRET_TEXT
    if sig == OUTPUT_VALUE_SIG:
        return to_display(value["value"]) if "value" in value else UNKNOWN_TEXT
    if sig == RESOURCE_SIG:
        return to_display(to_engine(value))
    if sig == ASSET_SIG:
        return {"asset": _display_asset(value)}
    kind = "archive" if sig == ARCHIVE_SIG else sig
    return {kind: {k: to_display(v) for k, v in value.items() if k != SIG_KEY}}


def _display_asset(value: dict[str, Any]) -> dict[str, Any]:
    """A file asset as its content hash and a path that names no machine's folder.

    The engine compares assets by hash only (pulumi/pulumi sdk/go/common/resource/asset/asset.go, `Equals`:
    "value equality is determined only by the hash"; `EnsureHashWithWD`: the SHA256 of the contents, hex), so
    the same program planned from two folders records the same asset: the hash is computed here as the engine
    would, and the path is shown relative to the project (or to site-packages), never as an absolute folder.
    """
    shown = {k: to_display(v) for k, v in value.items() if k != SIG_KEY}
    path = value.get("path")
    if isinstance(path, str) and path:
        if "hash" not in shown and (digest := file_sha256(path)) is not None:
            shown["hash"] = digest
        shown["path"] = portable_path(path)
    return shown


@cache
def file_sha256(path: str) -> str | None:
    """The engine's hash of a file asset (hex SHA256 of its bytes); None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


@cache
def _project_root(directory: PurePath) -> PurePath | None:
    for candidate in (directory, *directory.parents):
        if (Path(candidate) / "Pulumi.yaml").is_file() or (Path(candidate) / "Pulumi.yml").is_file():
            return candidate
    return None


def portable_path(path: str) -> str:
    """An absolute asset path as the same on every checkout: relative to its project (the folder holding
    Pulumi.yaml), else from its site-packages folder, else only its name."""
    pure = PurePath(path)
    if not pure.is_absolute():
        return pure.as_posix()
    root = _project_root(pure.parent)
    if root is not None:
        return pure.relative_to(root).as_posix()
    if "site-packages" in pure.parts:
        return PurePath(*pure.parts[pure.parts.index("site-packages"):]).as_posix()
    return f"(outside the project)/{pure.name}"


def to_display(value: Any) -> Any:
    """Render a wire value for humans and for `--json`: secrets and unknowns become markers.

    Secret values are replaced wholesale, so nothing inside a secret can leak, however nested.
    """
    if isinstance(value, list):
        return [to_display(v) for v in value]
    if not isinstance(value, dict):
        return _display_scalar(value)
    sig = _sig(value)
    if sig is not None:
        return _display_tagged(sig, value)
    return {k: to_display(v) for k, v in value.items()}


def secret_strings(value: Any, *, inside_secret: bool = False) -> Iterable[str]:
    """Yield every string (and number, as text) that sits inside a secret in a wire value.

    The report uses these to scrub messages a program or a policy might have built from a secret.
    """
    if isinstance(value, list):
        for v in value:
            yield from secret_strings(v, inside_secret=inside_secret)
        return
    if isinstance(value, dict):
        sig = _sig(value)
        nested = inside_secret or sig == SECRET_SIG or (sig == OUTPUT_VALUE_SIG and bool(value.get("secret")))
        for k, v in value.items():
            if k != SIG_KEY:
                yield from secret_strings(v, inside_secret=nested)
        return
    if inside_secret and isinstance(value, str) and value != UNKNOWN:
        yield value


class Redactor:
    """Replaces known secret plaintexts in free text (policy messages, warnings, errors)."""

    # Short strings ("true", "prod") would redact ordinary words all over the report; real
    # secrets are longer, and structured values are protected by `to_display` anyway.
    MIN_LENGTH = 6

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        for s in secrets:
            if len(s) >= self.MIN_LENGTH:
                self._secrets.add(s)

    def __call__(self, text: str) -> str:
        # Longest first, so a secret that contains another is replaced whole.
        for s in sorted(self._secrets, key=len, reverse=True):
            if s in text:
                text = text.replace(s, SECRET_TEXT)
        return text
