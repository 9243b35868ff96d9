"""Reading Pulumi's YAML files (Pulumi.yaml, Pulumi.<stack>.yaml, PulumiPolicy.yaml) the way the CLI does, safely.

The CLI decodes these with Go's yaml.v3 into plain values. PyYAML's defaults differ in ways that turned
hostile input into tracebacks or wrong values, so this loader:
- resolves plain scalars like yaml.v3 into `interface{}` (YAML 1.2 core): `yes`/`on`, dates, timestamps and
  `1:30` stay strings, instead of becoming booleans, `datetime`s (not JSON-serializable) or base-60 ints;
- refuses duplicate keys, naming the key and both lines (PyYAML silently keeps the last one);
- refuses the tags that have no JSON form (`!!set`, `!!binary`, `!!omap`, `!!pairs`, ...);
- refuses nesting deeper than `MAX_DEPTH` (a RecursionError otherwise) and excessive aliasing (an alias
  bomb expands exponentially once the value is turned into JSON), as yaml.v3 does;
- refuses integers too long for Python's int conversion limit;
- accepts only UTF-8 text, with a message that says so.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

MAX_DEPTH = 100
# yaml.v3 stops decoding a document whose aliases expand it beyond a few million nodes; a real
# stack file has a few hundred.
MAX_EXPANDED_NODES = 1_000_000
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300


class YamlFileError(Exception):
    """A YAML file that cannot be read; the message says where and why (no traceback)."""


def _where(node: yaml.Node) -> str:
    mark = node.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}"


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema, which is what yaml.v3 resolves into `interface{}`."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:merge",
    # An explicit !!timestamp is kept as its text, like an implicit one.
    "tag:yaml.org,2002:timestamp",
}


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
              yaml.constructor.SafeConstructor, _Resolver):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # Composition recurses once per level: bound it before Python's recursion limit does.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise YamlFileError(f"nesting deeper than {MAX_DEPTH} levels at line {event.start_mark.line + 1}")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise YamlFileError(f"unsupported YAML tag {tag} at {_where(node)}")
        return super().construct_object(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = len(node.value.lstrip("+-"))
        if digits > MAX_INT_DIGITS:
            raise YamlFileError(
                f"an integer of {digits} digits at {_where(node)} is too large (limit {MAX_INT_DIGITS})"
            )
        text = node.value
        if text.startswith("0o"):
            return int(text[2:], 8)
        return int(text, 0) if text.startswith("0x") else int(text, 10)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Keys a `<<` merge brings in may be overridden by the mapping's own keys: only own keys can clash.
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlFileError(f"a mapping key at {_where(key_node)} is a collection, not a scalar")
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise YamlFileError(
                    f"duplicate key '{key}' at line {key_node.start_mark.line + 1} (first defined at line {first}); "
                    "remove one of them"
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _construct_timestamp_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


def _expanded_size(node: yaml.Node, memo: dict[int, int], limit: int) -> int:
    """Nodes the document has once every alias is expanded (aliases share one node object)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once instead of looping
    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        children = []
    total = 1
    for child in children:
        total += _expanded_size(child, memo, limit)
        if total > limit:
            break
    memo[key] = total
    return total


def decode_utf8(data: bytes, what: str, path: Path) -> str:
    """The file's text, or a YamlFileError that says it is not UTF-8 (Latin-1, UTF-16, ...)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlFileError(f"{what} {path} is UTF-16 text; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlFileError(
            f"{what} {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None


def _reader_error(text: str, error: yaml.reader.ReaderError, what: str, path: Path) -> YamlFileError:
    """PyYAML's reader refuses a NUL byte and other non-printable characters in its constructor, before there is
    a mark: say which character, and where."""
    before = text[: error.position]
    line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
    name = "a NUL byte" if code == 0 else f"the character U+{code:04X}"
    return YamlFileError(
        f"{what} {path} (line {line}, column {column}): {name}, which YAML does not allow in its text (control "
        "characters other than tab and newline); remove it"
    )


def parse_yaml(text: str, what: str, path: Path) -> Any:
    """Parse one YAML document; every failure is a YamlFileError naming the file and the place."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc, what, path) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
            raise YamlFileError(
                f"excessive aliasing (more than {MAX_EXPANDED_NODES:,} values once its aliases are expanded)"
            )
        return loader.construct_document(node)
    except YamlFileError as exc:
        raise YamlFileError(f"{what} {path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlFileError(f"malformed YAML in {what} {path}{where}: {problem}") from None
    except RecursionError:
        raise YamlFileError(f"{what} {path}: nesting too deep") from None
    finally:
        loader.dispose()


def read_yaml(path: Path, what: str) -> Any:
    """Read and parse a YAML file; a missing or unreadable file is a YamlFileError too."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise YamlFileError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise YamlFileError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    return parse_yaml(decode_utf8(data, what, path), what, path)
