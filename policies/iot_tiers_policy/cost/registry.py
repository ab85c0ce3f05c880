"""The registry of pricers: one function per resource type, one module per service.

A module of :mod:`.pricers` decorates a function with :func:`pricer`; the function
takes the resource (a graph :class:`~..graph.Node`) and the :class:`Context`, and
returns a :class:`~.model.Priced` (or a plain list of line items). It raises
:class:`~.model.Unpriced` for a resource it cannot price; any other exception is
caught by the estimator and the resource becomes ``unpriced`` with the error as its
reason, so one resource never aborts an estimate. :func:`free` names types AWS does
not bill by themselves. Adding a service is adding one module there.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from .._util import is_unknown
from ..graph import Node
from .model import Unpriced
from .prices import PriceTable
from .traffic import Traffic
from .usage import Usage, UsageKey
from .view import StackView


@dataclass(frozen=True)
class Pricer:
    type: str
    fn: Callable[[Node, "Context"], Any]
    usage: dict[str, UsageKey]
    #: Price only while the component is opaque (a remote component under mocks); once its
    #: children are visible, they are priced instead, never both.
    opaque_only: bool = False
    #: With ``opaque_only``: the descendant types the component's estimate stands in for. The
    #: component is opaque while none of them is in the stack (any child at all, when empty).
    stands_in_for: tuple[str, ...] = ()


PRICERS: dict[str, Pricer] = {}
FREE: dict[str, str] = {}


def pricer(*types: str, usage: Iterable[UsageKey] = (), opaque_only: bool = False,
           stands_in_for: Iterable[str] = ()) -> Callable:
    """Register the decorated function as the pricer of ``types`` (``opaque_only``, ``stands_in_for``: see
    :class:`Pricer`)."""
    schema = {u.key: u for u in usage}

    def register(fn: Callable) -> Callable:
        for t in types:
            if t in PRICERS or t in FREE:
                raise ValueError(f"{t} has two pricers ({PRICERS[t].fn.__module__ if t in PRICERS else 'free'} "
                                 f"and {fn.__module__})")
            PRICERS[t] = Pricer(t, fn, schema, opaque_only, tuple(stands_in_for))
        return fn

    return register


def free(reason: str, *types: str) -> None:
    """Mark ``types`` as not billed by themselves, with the reason shown for them."""
    for t in types:
        if t in PRICERS:
            raise ValueError(f"{t} is both priced and free")
        FREE[t] = reason


_LOADED = False


def load() -> dict[str, Pricer]:
    """Import every module of :mod:`.pricers` (once) and return the registry."""
    global _LOADED
    if not _LOADED:
        from . import pricers

        for m in sorted(pkgutil.iter_modules(pricers.__path__), key=lambda m: m.name):
            if not m.name.startswith("_"):
                importlib.import_module(f"{pricers.__name__}.{m.name}")
        _LOADED = True
    return PRICERS


@dataclass
class Context:
    """What a pricer may consult: the stack, its traffic, prices, usage and the traffic flows."""

    view: StackView
    traffic: Traffic
    prices: PriceTable
    usage: Usage
    flows: Any
    notes: list[str] = field(default_factory=list)
    #: The usage values the current resource was priced with (filled by :meth:`use`).
    applied: dict[str, Any] = field(default_factory=dict)
    given: dict[str, Any] = field(default_factory=dict)
    #: Every usage key the current resource's pricer asked for, with the value it used.
    seen: dict[str, Any] = field(default_factory=dict)

    @property
    def hours(self) -> float:
        return self.prices.hours_per_month

    def use(self, key: str, default: Any) -> Any:
        """The current resource's usage ``key``, else ``default`` (recorded when given)."""
        if key in self.given:
            self.applied[key] = self.given[key]
            self.seen[key] = self.given[key]
            return self.given[key]
        self.seen[key] = default
        return default

    def has_usage(self, key: str) -> bool:
        return key in self.given


_PROP = object()


def number(node: Node, key: str, default: Optional[float] = None, *, value: Any = _PROP) -> Optional[float]:
    """``node.props[key]`` (or ``value``, read from deeper in the props) as a number; strings of
    digits are accepted, as task definitions give them.

    A missing value is ``default``; an unknown (first preview) or garbage value makes the
    resource :class:`Unpriced` with a reason naming the property.
    """
    raw = node.props.get(key) if value is _PROP else value
    if raw is None:
        return default
    if is_unknown(raw):
        raise Unpriced(f"{key} is not known until the update (a first preview), so the cost cannot be computed")
    if isinstance(raw, bool):
        raise Unpriced(f"{key}={raw!r} is not a number")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise Unpriced(f"{key}={raw!r} is not a number") from None
    if value != value or value < 0:
        raise Unpriced(f"{key}={raw!r} must be a number >= 0")
    return value


def text(node: Node, key: str, default: Optional[str] = None) -> Optional[str]:
    raw = node.props.get(key)
    if raw is None:
        return default
    if is_unknown(raw):
        raise Unpriced(f"{key} is not known until the update (a first preview), so the cost cannot be computed")
    if not isinstance(raw, str):
        raise Unpriced(f"{key}={raw!r} is not a string")
    return raw
