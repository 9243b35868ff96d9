"""Output-only properties of a custom resource type, read from the provider SDK's Python class.

At preview the engine analyzes a new resource's outputs (AnalyzeStack) and hands the program its outputs;
everything the provider computes (`arn`, `endpoint`, ...) is unknown then. The generated resource class
declares every output as a property getter; those that are not parameters of `_internal_init` (its Args)
are output-only. The class is found through the SDK's resource-module registry, which a provider package
fills when the program imports it, so nothing the program did not import is loaded here.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

_PULUMI_NAME = "_pulumi_name"  # pulumi._types._PULUMI_NAME: the wire name a getter carries


def _resource_class(type_token: str, version: str) -> type | None:
    from pulumi.runtime.rpc import get_resource_module  # noqa: PLC0415 - the SDK is loaded by now

    pkg, mod, _ = type_token.split(":", 2)
    module = get_resource_module(pkg, mod, version)
    # Every generated provider SDK registers a `_utilities.Module` with this `mod_info`.
    info: Any = getattr(module, "mod_info", None)
    if not isinstance(info, dict):
        return None
    class_name = (info.get("classes") or {}).get(type_token)
    python_module = sys.modules.get(str(info.get("fqn")))
    if class_name is None or python_module is None:
        return None  # never import a provider module the program did not
    cls = getattr(python_module, class_name, None)
    return cls if isinstance(cls, type) else None


@functools.cache
def output_only_properties(type_token: str, version: str = "") -> tuple[str, ...]:
    """Wire names of the type's provider-computed outputs; empty if the class is not known."""
    if type_token.count(":") < 2:
        return ()
    cls = _resource_class(type_token, version)
    init = getattr(cls, "_internal_init", None)
    if cls is None or init is None:
        return ()
    code = init.__code__  # the parameters of _internal_init, without inspect.signature's cost
    args = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    names: list[str] = []
    for klass in cls.__mro__:
        if klass.__module__.startswith("pulumi.") or klass is object:
            continue  # Resource/CustomResource's own `id`/`urn` are not properties of the provider's
        for python_name, attr in vars(klass).items():
            wire = getattr(getattr(attr, "fget", None), _PULUMI_NAME, None)
            if isinstance(attr, property) and isinstance(wire, str) and python_name not in args:
                names.append(wire)
    return tuple(sorted(set(names)))
