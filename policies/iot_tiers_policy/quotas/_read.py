"""Reading numbers and dependencies off the graph for the quota readers: a missing value is its
default, an unknown or nonsensical one makes the resource :class:`~.model.NotAssessable`."""

from __future__ import annotations

from typing import Any, Optional

from .._util import is_unknown
from ..graph import Node
from .model import NotAssessable

_PROP = object()


def count(node: Node, key: str, default: Optional[float] = None, *, value: Any = _PROP) -> Optional[float]:
    """``node.props[key]`` (or ``value``, read from deeper in the props) as a number >= 0; digit strings
    are accepted (task definitions give ``cpu`` as one)."""
    raw = node.props.get(key) if value is _PROP else value
    if raw is None:
        return default
    if is_unknown(raw):
        raise NotAssessable(f"{key} is not known until the update (a first preview)")
    if isinstance(raw, bool):
        raise NotAssessable(f"{key}={raw!r} is not a number")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise NotAssessable(f"{key}={raw!r} is not a number") from None
    if number != number or number < 0:
        raise NotAssessable(f"{key}={raw!r} is not a number >= 0")
    return number


def plural(n: float, word: str) -> str:
    n_text = f"{n:g}"
    return f"{n_text} {word}" if n == 1 else f"{n_text} {word}s"
