"""Engine events from a refresh preview, turned into drifted resources with masked old/new values.

What the engine sends (`pkg/engine/events.go`, `pkg/backend/display/events.go`, and
`pulumi.automation.events` for the Python shape):
- a `ResourcePreEvent` per resource with op `refresh`, then a `ResOutputsEvent` whose op is the refresh's
  *result* (`RefreshStep.ResultOp`): `same`, `update` (the cloud differs from the state) or `delete` (the
  resource is gone). `metadata.old` is the state, `metadata.new` what the provider read (None when gone);
  `diffs` / `detailed_diff` name properties when the engine computed a diff;
- `DiagnosticEvent`s (severity `error` for a failed read), `ResOpFailedEvent` for a failed step, and a
  `SummaryEvent` with the counts per op.

Secrets arrive as signature objects (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
"ciphertext": ...}` from the blinding crypter, or with `"plaintext"` when secrets are shown) or as `[secret]`
text (the engine's log filter). A path that is secret on either side is masked on both sides, and every plaintext
seen inside a secret is scrubbed from every other string shown (a value copied into a non-secret output, an
error message).

Duck-typed on the SDK's event classes, so this module does not import the SDK.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

from ..values import OUTPUT_VALUE_SIG, SECRET_SIG, SECRET_TEXT, SIG_KEY, Redactor, to_display
from .model import NOT_SET, DriftedResource, PropertyDrift

_DRIFT_OPS = ("update", "delete")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]*$")
_COLOR_TAG = re.compile(r"<\{%[^%]*%\}>")  # the engine's colorization markup in raw diagnostics
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Credential shapes scrubbed from quoted error text even when no event showed them as secret.
_CREDENTIAL_PATTERNS = (
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"\bpul-[0-9a-f]{40}\b"),  # Pulumi access tokens
    re.compile(r"(?i)\b(bearer|token|password|passwd|secret)([=:]\s*|\s+)[^\s'\",;()\[\]]{6,}"),
)


class _Absent:
    def __repr__(self) -> str:
        return NOT_SET


_ABSENT: Any = _Absent()


def _sig(value: Any) -> str | None:
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if isinstance(sig, str):
            return sig
    return None


def is_secret(value: Any) -> bool:
    """A secret in any form the engine sends one: signature object, secret output value, or `[secret]` text."""
    sig = _sig(value)
    if sig == SECRET_SIG or (sig == OUTPUT_VALUE_SIG and bool(value.get("secret"))):
        return True
    return isinstance(value, str) and SECRET_TEXT in value


def plaintexts(value: Any, *, inside: bool = False) -> Iterator[str]:
    """Every string inside a secret (a `plaintext` field is JSON text, so its decoded strings too)."""
    if isinstance(value, list):
        for v in value:
            yield from plaintexts(v, inside=inside)
    elif isinstance(value, dict):
        nested = inside or is_secret(value)
        for k, v in value.items():
            if k == SIG_KEY:
                continue
            if nested and k == "plaintext" and isinstance(v, str):
                yield v
                with contextlib.suppress(ValueError):
                    yield from plaintexts(json.loads(v), inside=True)
            else:
                yield from plaintexts(v, inside=nested)
    elif inside and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = value if isinstance(value, str) else str(value)
        if text != SECRET_TEXT:
            yield text


def _plain_dict(value: Any) -> bool:
    return isinstance(value, dict) and _sig(value) is None


def _child(path: str, key: str) -> str:
    if _IDENTIFIER.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def diff_values(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(path, old, new) for each leaf that differs, in Pulumi's property path syntax (`tags.env`, `rules[0]`).

    Raw values are compared (two secrets with different plaintexts differ); a secret is a leaf, never entered.
    """
    if old == new:
        return
    if _plain_dict(old) and _plain_dict(new):
        for key in sorted(set(old) | set(new)):
            yield from diff_values(old.get(key, _ABSENT), new.get(key, _ABSENT), _child(path, key))
        return
    if isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            a = old[i] if i < len(old) else _ABSENT
            b = new[i] if i < len(new) else _ABSENT
            yield from diff_values(a, b, f"{path}[{i}]")
        return
    yield path, old, new


_PATH_TOKEN = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(path: str) -> list[str | int] | None:
    """`a.b[0]["c.d"]` -> ["a", "b", 0, "c.d"]; None if it is not a property path."""
    out: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _PATH_TOKEN.match(path, pos)
        if m is None or m.end() == pos:
            return None
        name, index, quoted = m.groups()
        out.append(name if name is not None else int(index) if index is not None else json.loads(quoted))
        pos = m.end()
    return out


def lookup(value: Any, path: str) -> Any:
    """The value at a property path; a secret on the way is returned whole (so it is masked, never entered)."""
    parts = parse_path(path)
    if parts is None:
        return _ABSENT
    for part in parts:
        if is_secret(value):
            return value
        in_list = isinstance(part, int) and isinstance(value, list) and part < len(value)
        in_dict = isinstance(part, str) and _plain_dict(value) and part in value
        if not (in_list or in_dict):
            return _ABSENT
        value = value[part]
    return value


def _covered(path: str, paths: set[str]) -> bool:
    # `tags` already reported covers `tags.env` from the engine's detailed diff, and vice versa.
    return any(
        path == p or path.startswith((p + ".", p + "[")) or p.startswith((path + ".", path + "[")) for p in paths
    )


def clean_message(text: str) -> str:
    return _ANSI.sub("", _COLOR_TAG.sub("", text))


def scrub_credentials(text: str) -> str:
    for pattern in _CREDENTIAL_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) + m.group(2) if m.lastindex else "") + SECRET_TEXT, text)
    return text


class DriftCollector:
    """The `on_event` callback of one stack's `preview_refresh`, and what it learned.

    Called from the SDK's event thread (a log-file watcher or a gRPC server thread): it never raises, since a
    raising callback kills the watcher thread, or makes the gRPC servicer warn with the whole event's JSON.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._steps: dict[str, Any] = {}  # urn -> the metadata of its latest drift step
        self._unchanged: set[str] = set()
        self.errors: list[str] = []  # error diagnostics, cleaned (redact before showing)
        self.failed_urns: list[str] = []
        self.summary: dict[str, int] | None = None
        self.redactor = Redactor()
        self.callback_failures = 0

    def on_event(self, event: Any) -> None:
        try:
            with self._lock:
                self._handle(event)
        except Exception:  # see the class docstring; counted and reported as a warning
            self.callback_failures += 1

    def _handle(self, event: Any) -> None:
        outputs = getattr(event, "res_outputs_event", None)
        pre = getattr(event, "resource_pre_event", None)
        for payload, authoritative in ((outputs, True), (pre, False)):
            if payload is None:
                continue
            md = payload.metadata
            self._learn_secrets(md)
            op = str(getattr(md.op, "value", md.op))
            if op in _DRIFT_OPS and (authoritative or md.urn not in self._steps):
                self._steps[md.urn] = md
                self._unchanged.discard(md.urn)
            elif op == "same" and authoritative:
                self._steps.pop(md.urn, None)
                self._unchanged.add(md.urn)
        diag = getattr(event, "diagnostic_event", None)
        if diag is not None and str(diag.severity) == "error":
            message = clean_message(diag.message).strip()
            if message:
                self.errors.append(message)
        failed = getattr(event, "res_op_failed_event", None)
        if failed is not None:
            self.failed_urns.append(failed.metadata.urn)
        summary = getattr(event, "summary_event", None)
        if summary is not None:
            self.summary = {str(getattr(k, "value", k)): int(v) for k, v in (summary.resource_changes or {}).items()}

    def _learn_secrets(self, md: Any) -> None:
        for state in (md.old, md.new):
            if state is not None:
                for bag in (state.inputs, state.outputs):
                    self.redactor.add(plaintexts(bag or {}))

    # ---- after the run

    @property
    def unchanged(self) -> int:
        return len(self._unchanged)

    def drifted(self) -> list[DriftedResource]:
        with self._lock:
            steps = list(self._steps.values())
        resources = [self._resource(md) for md in steps]
        return sorted(resources, key=lambda r: (r.kind != "delete", r.type, r.name, r.urn))

    def redact(self, text: str) -> str:
        return scrub_credentials(self.redactor(text))

    def _shown(self, value: Any, masked: bool) -> Any:
        if value is _ABSENT:
            return NOT_SET
        if masked:
            return SECRET_TEXT
        return _scrub_strings(to_display(value), self.redactor)

    def _resource(self, md: Any) -> DriftedResource:
        op = str(getattr(md.op, "value", md.op))
        name = md.urn.rsplit("::", 1)[-1]
        resource = DriftedResource(urn=md.urn, type=md.type, name=name, kind=op)
        if op == "delete" or md.old is None:
            return resource
        old = md.old.outputs or {}
        new = (md.new.outputs or {}) if md.new is not None else {}
        found: dict[str, tuple[Any, Any]] = {path: (a, b) for path, a, b in diff_values(old, new)}
        # Paths the engine's diff names that comparing outputs did not find (e.g. both sides blinded secrets).
        named = list((md.detailed_diff or {}).keys()) or list(md.diffs or [])
        for path in named:
            if not _covered(path, set(found)):
                found[path] = (lookup(old, path), lookup(new, path))
        for path in sorted(found):
            a, b = found[path]
            masked = is_secret(a) or is_secret(b)
            resource.properties.append(PropertyDrift(path, self._shown(a, masked), self._shown(b, masked)))
        return resource


def _scrub_strings(value: Any, redact: Redactor) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_scrub_strings(v, redact) for v in value]
    if isinstance(value, dict):
        return {redact(k): _scrub_strings(v, redact) for k, v in value.items()}
    return value
