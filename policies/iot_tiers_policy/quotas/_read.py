"""Reading numbers and dependencies off the graph for the quota readers: a missing value is its
default, an unknown or nonsensical one makes the resource :class:`~.model.NotAssessable`."""

from __future__ import annotations

import math
from typing import Any, Optional

from .._util import is_unknown
from ..graph import Node
from .model import NotAssessable

_PROP = object()
#: What a reader catches around one resource: a value it cannot use, or inputs not of the shape the
#: provider's schema gives (a list where an object belongs...): the resource is not assessed, the rest is.
UNREADABLE = (NotAssessable, TypeError, ValueError, AttributeError, KeyError, ArithmeticError)


def why(exc: Exception) -> str:
    """The not-assessed reason for ``exc`` (one of :data:`UNREADABLE`)."""
    return str(exc) if isinstance(exc, NotAssessable) else f"its inputs could not be read ({type(exc).__name__}: {exc})"


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
    if not math.isfinite(number) or number < 0:
        raise NotAssessable(f"{key}={raw!r} is not a number >= 0")
    return number


def plural(n: float, word: str) -> str:
    n_text = f"{n:g}"
    return f"{n_text} {word}" if n == 1 else f"{n_text} {word}s"
