"""Fixtures of the pricer tests: resources as a policy pack sees them, priced by the estimator.

``view(type, name, props, deps=...)`` builds one resource; ``deps`` maps a property to
the names of the resources it depends on (the engine's property dependencies, which
is all the estimator follows). ``priced(*views)`` runs the estimator over them.
"""

from __future__ import annotations

from typing import Any, Optional

from iot_tiers_policy.cost import ResourceView, Traffic, Usage, estimate, load_prices

PRICES = load_prices()


def urn(typ: str, name: str) -> str:
    return f"urn:pulumi:test::fixtures::{typ}::{name}"


def view(typ: str, name: str, props: Optional[dict[str, Any]] = None, *, deps: Optional[dict[str, list]] = None,
         parent: Optional[str] = None) -> ResourceView:
    """``deps`` values are (type, name) pairs."""
    pd = {k: [urn(t, n) for t, n in v] for k, v in (deps or {}).items()}
    return ResourceView(urn(typ, name), typ, name, dict(props or {}), parent,
                        sorted({u for v in pd.values() for u in v}), pd)


def priced(*views: ResourceView, traffic: Optional[Traffic] = None, usage: Optional[dict] = None, prices=None):
    return estimate(list(views), traffic or Traffic(), prices or PRICES,
                    usage=Usage(usage) if usage is not None else None)


def resource(est, name: str):
    return next(r for r in est.resources if r.name == name)


def usd(items) -> float:
    return sum(i.usd for i in items)
