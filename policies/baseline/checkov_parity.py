"""Checkov parity: which Checkov checks (Terraform framework) apply to the resource types this stack creates, and
what the pack does about each one. Tooling only: the pack never imports this module.

Data (hand-maintained, in `policies/checkov/`):

* `types.yaml`: Pulumi type token -> Terraform resource type. pulumi-aws, pulumi-cloudflare, pulumi-github and
  pulumi-random are bridged from the Terraform providers, so the mapping is exact. azure-native is generated from
  the Azure REST specs, not from azurerm: its rows name the azurerm analogue and say `bridged: false`.
* `parity.yaml`: Checkov check id -> {types, policy | reason}. Every check of the pinned Checkov version whose
  resource types include a Terraform type of a planned resource has exactly one row.

Checkov's checks are read from its wheel as a zip (never installed: its dependencies clash with the venv's):
`checkov/terraform/checks/resource/**.py` declare `supported_resources` (read with `ast`, following the abstract
base classes they call), `checkov/terraform/checks/graph_checks/**.{json,yaml}` (CKV2_*) name `resource_types` in
their definitions. `make checkov-wheel` downloads the pinned wheel into `.cache/checkov/`.

    cd policies && ../.venv/bin/python -m baseline.checkov_parity            # prints the summary
    cd policies && ../.venv/bin/python -m baseline.checkov_parity --write    # rewrites it in ../docs/policy-pack.md
    cd policies && ../.venv/bin/python -m baseline.checkov_parity --missing  # rows missing for planned types
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

DATA_DIR: Final = Path(__file__).resolve().parents[1] / "checkov"
REPO: Final = DATA_DIR.parents[1]
TYPES_FILE: Final = DATA_DIR / "types.yaml"
PARITY_FILE: Final = DATA_DIR / "parity.yaml"
CACHE_DIR: Final = REPO / ".cache" / "checkov"
DOC: Final = REPO / "docs" / "policy-pack.md"

_RESOURCE_DIR: Final = "checkov/terraform/checks/resource/"
_GRAPH_DIR: Final = "checkov/terraform/checks/graph_checks/"


@dataclass(frozen=True)
class Check:
    """One Checkov check: its id, title and the Terraform resource types it is evaluated on."""

    id: str
    name: str
    types: frozenset[str]
    source: str


# --------------------------------------------------------------------------------------------------
# The hand-maintained data
# --------------------------------------------------------------------------------------------------
def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a mapping")
    return data


def checkov_version() -> str:
    """The pinned Checkov version (parity.yaml `checkov_version`)."""
    return str(_load(PARITY_FILE)["checkov_version"])


def type_map() -> dict[str, str | None]:
    """Pulumi type token -> Terraform resource type (None: no Terraform resource, e.g. a provider)."""
    types = _load(TYPES_FILE)["types"]
    return {token: (row or {}).get("terraform") for token, row in types.items()}


def parity_rows() -> dict[str, dict[str, Any]]:
    """Check id -> {types: [...], policy: name} or {types: [...], reason: text}."""
    return dict(_load(PARITY_FILE)["checks"])


def wheel_path(version: str | None = None) -> Path:
    return CACHE_DIR / f"checkov-{version or checkov_version()}-py3-none-any.whl"


# --------------------------------------------------------------------------------------------------
# Reading Checkov's wheel
# --------------------------------------------------------------------------------------------------
@dataclass
class _Class:
    module: str
    node: ast.ClassDef
    literals: dict[str, Any]  # module-level literal assignments
    imports: dict[str, str]  # imported name -> module path


def _literal(node: ast.AST | None, env: Mapping[str, Any]) -> Any:
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return env.get(node.id)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None


def _init(cls: ast.ClassDef) -> ast.FunctionDef | None:
    return next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)


def _super_call(init: ast.FunctionDef) -> ast.Call | None:
    for node in ast.walk(init):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__":
            return node
    return None


class _Resolver:
    """Follows a check class's `super().__init__(...)` through the abstract bases defined inside Checkov, binding
    each base's parameters to the arguments it is called with, down to BaseResourceCheck's keyword arguments."""

    def __init__(self, classes: dict[tuple[str, str], _Class]) -> None:
        self.classes = classes

    def base_of(self, cls: _Class) -> _Class | None:
        for base in cls.node.bases:
            if isinstance(base, ast.Name):
                module = cls.imports.get(base.id, cls.module)
                found = self.classes.get((module, base.id))
                if found is not None:
                    return found
        return None

    def resolve(self, cls: _Class, bound: Mapping[str, Any], depth: int = 0) -> dict[str, Any]:
        if cls.node.name == "BaseResourceCheck":  # its arguments are the check's declaration
            return dict(bound)
        init = _init(cls.node)
        if init is None or depth > 10:
            base = self.base_of(cls)
            return self.resolve(base, bound, depth + 1) if base is not None and depth <= 10 else dict(bound)
        env: dict[str, Any] = dict(cls.literals)
        params = [a.arg for a in init.args.args[1:]]
        defaults = init.args.defaults
        for name, default in zip(params[len(params) - len(defaults):], defaults, strict=True):
            env[name] = _literal(default, env)
        for a, default in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True):
            env[a.arg] = _literal(default, env)
        env.update(bound)
        for node in ast.walk(init):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = _literal(node.value, env)
                if value is not None:
                    env[node.targets[0].id] = value
        call = _super_call(init)
        if call is None:
            return {}
        args = {k.arg: _literal(k.value, env) for k in call.keywords if k.arg}
        base = self.base_of(cls)
        if base is None:  # BaseResourceCheck & co: (name, id, categories, supported_resources, ...)
            positional = ["name", "id", "categories", "supported_resources"]
            args.update({p: _literal(a, env) for p, a in zip(positional, call.args, strict=False)})
            return args
        base_init = _init(base.node)
        base_params = [a.arg for a in base_init.args.args[1:]] if base_init else []
        args.update({p: _literal(a, env) for p, a in zip(base_params, call.args, strict=False)})
        return self.resolve(base, args, depth + 1)


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def _resource_checks(wheel: zipfile.ZipFile) -> Iterator[Check]:
    classes: dict[tuple[str, str], _Class] = {}
    instantiated: list[tuple[str, str]] = []
    for path in wheel.namelist():
        if not (path.startswith(_RESOURCE_DIR) and path.endswith(".py")):
            continue
        module = _module_name(path)
        tree = ast.parse(wheel.read(path), filename=path)
        literals: dict[str, Any] = {}
        imports: dict[str, str] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module:
                imports.update({alias.asname or alias.name: stmt.module for alias in stmt.names})
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                value = _literal(stmt.value, literals)
                if value is not None:
                    literals[stmt.targets[0].id] = value
                elif isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name):
                    instantiated.append((module, stmt.value.func.id))  # `check = TheCheck()`: registered
        for stmt in tree.body:
            if isinstance(stmt, ast.ClassDef):
                classes[(module, stmt.name)] = _Class(module, stmt, literals, imports)
    resolver = _Resolver(classes)
    for key in instantiated:
        cls = classes.get(key)
        if cls is None:
            continue
        args = resolver.resolve(cls, {})
        check_id, types = args.get("id"), args.get("supported_resources")
        if not isinstance(check_id, str) or not isinstance(types, list | tuple | set | frozenset):
            raise ValueError(f"{cls.module}.{key[1]}: cannot read id / supported_resources statically")
        yield Check(check_id, str(args.get("name") or ""), frozenset(types), f"{cls.module.replace('.', '/')}.py")


def _filter_types(node: Any) -> Iterator[str]:
    """The values of the definition's `resource_type` filters (the check's subjects)."""
    if isinstance(node, Mapping):
        if node.get("cond_type") == "filter" and node.get("attribute") == "resource_type":
            value = node.get("value")
            yield from ([value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)])
        for value in node.values():
            yield from _filter_types(value)
    elif isinstance(node, list):
        for item in node:
            yield from _filter_types(item)


def _definition_types(node: Any) -> Iterator[str]:
    """`resource_types` anywhere in a graph check's definition."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "resource_types":
                yield from ([value] if isinstance(value, str) else value or [])
            else:
                yield from _definition_types(value)
    elif isinstance(node, list):
        for item in node:
            yield from _definition_types(item)


def _graph_checks(wheel: zipfile.ZipFile) -> Iterator[Check]:
    for path in wheel.namelist():
        if not path.startswith(_GRAPH_DIR) or not path.endswith((".json", ".yaml", ".yml")):
            continue
        raw = wheel.read(path).decode()
        document = json.loads(raw) if path.endswith(".json") else yaml.safe_load(raw)
        if not isinstance(document, Mapping) or not isinstance(document.get("metadata"), Mapping):
            continue
        metadata = document["metadata"]
        check_id = metadata.get("id")
        if not isinstance(check_id, str):
            continue
        definition = document.get("definition")
        filtered = set(_filter_types(definition))
        # A `resource_type` filter names the check's subjects; the other types are only read through connections.
        types = frozenset(filtered or {t for t in _definition_types(definition) if isinstance(t, str)})
        yield Check(check_id, str(metadata.get("name") or ""), types, path)


def read_checks(wheel: Path) -> dict[str, Check]:
    """Every Terraform check of the wheel by id (a check declared twice has the union of its types)."""
    found: dict[str, Check] = {}
    with zipfile.ZipFile(wheel) as archive:
        for check in [*_resource_checks(archive), *_graph_checks(archive)]:
            previous = found.get(check.id)
            found[check.id] = (
                check
                if previous is None
                else Check(check.id, previous.name or check.name, previous.types | check.types, previous.source)
            )
    return found


def applicable(checks: Mapping[str, Check], terraform_types: Iterable[str]) -> dict[str, Check]:
    """The checks evaluated on at least one of `terraform_types` (a check on `all` types counts)."""
    wanted = set(terraform_types)
    return {
        cid: c for cid, c in sorted(checks.items()) if c.types & wanted or ("all" in c.types and wanted)
    }


# --------------------------------------------------------------------------------------------------
# The summary in docs/policy-pack.md (its `generated:checkov-parity` block, written by docgen)
# --------------------------------------------------------------------------------------------------


def summary() -> str:
    rows = parity_rows()
    implemented = sorted(cid for cid, row in rows.items() if row.get("policy"))
    reasons = len(rows) - len(implemented)
    mapped = sorted(t for t in set(type_map().values()) if t)
    return "\n".join(
        [
            f"Checkov {checkov_version()} (Terraform framework), checks on the Terraform types behind the stack's "
            f"resources ({len(mapped)} mapped types): **{len(rows)}** checks, **{len(implemented)}** implemented by "
            f"a policy, **{reasons}** not applicable (each with its reason in `policies/checkov/parity.yaml`).",
            "",
            f"Implemented: {', '.join(f'`{c}`' for c in implemented)}.",
        ]
    )


def write_doc() -> int:
    """Rewrite the summary in docs/policy-pack.md: docgen owns the marker blocks, so this runs it for them."""
    return subprocess.call([sys.executable, "-m", "docgen", "--write", "--only", "checkov-parity"], cwd=REPO)


def _missing_rows() -> str:
    """parity.yaml rows to add for the mapped types (a starting point; each needs a policy or a reason)."""
    checks = applicable(read_checks(wheel_path()), [t for t in type_map().values() if t])
    rows = parity_rows()
    lines = []
    for cid, check in checks.items():
        if cid not in rows:
            types = sorted(check.types & {t for t in type_map().values() if t})
            lines.append(f"  {cid}:  # {check.name}\n    types: {json.dumps(types)}\n    reason: TODO")
    return "\n".join(lines) or "# nothing missing"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        raise SystemExit(write_doc())
    elif sys.argv[1:] == ["--missing"]:
        print(_missing_rows())
    else:
        print(summary())
