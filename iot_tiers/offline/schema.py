"""What a resource or an invoke returns, as its provider's schema declares it.

Under Pulumi's mocks nothing but the mock decides what a resource's outputs are. Echoing
the inputs back is right for most ``pulumi_aws`` resources (their outputs carry the
inputs' names and types), but wrong where the two differ, as for every awsx component:
``awsx.lb.ApplicationLoadBalancer`` takes ``defaultTargetGroup`` as arguments and returns
it as an ``aws.lb.TargetGroup`` resource. The generated Python SDKs declare every output
with its type (``pulumi._types.resource_types`` reads them, as the SDK itself does when it
resolves outputs), so this module derives output shapes from those declarations:

* :func:`resource_class` / :func:`type_token`: a type token's SDK class and back;
* :func:`invoke_result_types`: the declared fields of an invoke's result;
* :class:`Shaper`: a value of a declared type (deterministic placeholder strings, empty
  maps, one-item lists, nested output types, resource references through a callback).
"""

from __future__ import annotations

import collections.abc
import hashlib
import importlib
import re
import typing
from typing import Any, Callable, Optional

import pulumi
from pulumi import _types
from pulumi.runtime import rpc

#: What a value of an undeclared or unsupported type becomes: unknown, as in a preview.
UNKNOWN = rpc.UNKNOWN

_MAX_DEPTH = 4


def _short_hash(*parts: str, n: int = 8) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


def _module_info(pkg: str, mod: str) -> Optional[dict[str, Any]]:
    module = rpc.get_resource_module(pkg, mod, "")
    info = getattr(module, "mod_info", None)
    return info if isinstance(info, dict) else None


def _import_sdk(pkg: str) -> None:
    """Import ``pulumi_<pkg>`` so that it registers its resource modules (a no-op when it is there)."""
    try:
        importlib.import_module(f"pulumi_{pkg.replace('-', '_')}")
    except ImportError:
        pass


def resource_class(token: str) -> Optional[type]:
    """The SDK class of resource type ``token`` (``aws:lb/targetGroup:TargetGroup``), or None."""
    parts = token.split(":")
    if len(parts) != 3:
        return None
    pkg, mod, _name = parts
    info = _module_info(pkg, mod)
    if info is None:
        _import_sdk(pkg)
        info = _module_info(pkg, mod)
    if info is None or token not in info.get("classes", {}):
        return None
    try:
        return getattr(importlib.import_module(info["fqn"]), info["classes"][token])
    except (ImportError, AttributeError):
        return None


def type_token(cls: type) -> Optional[str]:
    """The type token of an SDK resource class (the reverse of :func:`resource_class`)."""
    fqn = cls.__module__.rsplit(".", 1)[0]
    for modules in rpc._RESOURCE_MODULES.values():
        for module in modules:
            info = getattr(module, "mod_info", None)
            if not isinstance(info, dict) or info.get("fqn") != fqn:
                continue
            for token, name in info.get("classes", {}).items():
                if name == cls.__name__:
                    return token
    return None


def output_types(token: str) -> dict[str, Any]:
    """Declared output properties of resource type ``token``: wire name -> Python type."""
    cls = resource_class(token)
    if cls is None:
        return {}
    try:
        return dict(_types.resource_types(cls))
    except Exception:  # a class whose annotations do not resolve: no declared shape
        return {}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def invoke_result_types(token: str) -> dict[str, Any]:
    """Declared fields of invoke ``token``'s result (``aws:ec2/getSubnets:getSubnets``): wire name -> type.

    Generated SDKs put ``<pkg>:<mod>/<fn>:<fn>`` in ``pulumi_<pkg>.<mod>.<snake fn>``
    (``index`` is the package root) with a ``<Fn>Result`` output type.
    """
    parts = token.split(":")
    if len(parts) != 3:
        return {}
    pkg, mod, fn = parts
    module_path = mod.split("/", 1)[0]
    base = f"pulumi_{pkg.replace('-', '_')}"
    path = f"{base}.{_snake(fn)}" if module_path == "index" else f"{base}.{module_path}.{_snake(fn)}"
    try:
        module = importlib.import_module(path)
    except ImportError:
        return {}
    result = getattr(module, f"{fn[0].upper()}{fn[1:]}Result", None)
    if result is None or not _types.is_output_type(result):
        return {}
    try:
        return dict(_types.output_type_types(result))
    except Exception:
        return {}


class Shaper:
    """Builds values of declared types, deterministically from a seed.

    ``reference(cls, name)`` is called for a value whose type is a resource class and
    returns what stands for it (a resource reference); without it such values are unknown.
    ``counts`` says how many items a list output holds (by wire name; default 1).
    """

    def __init__(self, seed: str, *, reference: Optional[Callable[[type, str], Any]] = None,
                 counts: Optional[dict[str, int]] = None) -> None:
        self.seed = seed
        self.reference = reference
        self.counts = dict(counts or {})

    def value(self, typ: Any, name: str, depth: int = 0) -> Any:
        """A value of type ``typ`` for the property (or path) ``name``."""
        typ = _types.unwrap_optional_type(typ) if _is_optional(typ) else typ
        origin = typing.get_origin(typ)
        if typ is str:
            return self.string(name)
        if typ is bool:
            return False
        if typ is int:
            return 0
        if typ is float:
            return 0.0
        if origin in (list, collections.abc.Sequence, typing.List):
            (item,) = typing.get_args(typ) or (Any,)
            n = self.counts.get(name.rsplit(".", 1)[-1], 1)
            return [self.value(item, f"{name}[{i}]", depth + 1) for i in range(n)]
        if origin in (dict, collections.abc.Mapping, typing.Dict):
            return {}
        if isinstance(typ, type) and issubclass(typ, pulumi.Resource):
            return self.reference(typ, name) if self.reference else UNKNOWN
        if isinstance(typ, type) and _types.is_output_type(typ) and depth < _MAX_DEPTH:
            try:
                fields = _types.output_type_types(typ)
            except Exception:
                return UNKNOWN
            return {k: self.value(t, f"{name}.{k}", depth + 1) for k, t in fields.items()}
        return UNKNOWN

    def string(self, name: str) -> str:
        """A placeholder string that says what it stands for (``<prop>-<hash>``)."""
        leaf = re.sub(r"\[\d+\]", "", name.rsplit(".", 1)[-1]) or "value"
        return f"{_snake(leaf).replace('_', '-')}-{_short_hash(self.seed, name)}"

    def shape(self, types: dict[str, Any], *, given: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Every declared property: ``given`` values where they are provided, shaped values elsewhere."""
        given = given or {}
        return {k: given[k] if k in given else self.value(t, k) for k, t in types.items()}


def _is_optional(typ: Any) -> bool:
    return typing.get_origin(typ) is typing.Union and type(None) in typing.get_args(typ)


__all__ = ["Shaper", "UNKNOWN", "invoke_result_types", "output_types", "resource_class", "type_token"]
