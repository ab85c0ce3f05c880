"""Glue between the capturing harness and the cost model.

``estimate_capture(capture)`` prices a :class:`~iot_tiers.offline.harness.Capture` (what
``run_stack`` recorded) for the traffic assumptions in the stack's own config;
``tiers cost`` prints it (:mod:`.cost_report`) and ``tiers preview`` shows its total.
The cost model itself lives in ``policies/iot_tiers_policy/cost`` so the budget policy
in the published pack prices stacks the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

from iot_tiers_policy.cost import Estimate, Traffic, Usage, estimate, from_captured, load_prices
from iot_tiers_policy.cost.prices import PriceTable
from iot_tiers_policy.cost.traffic import FIELDS

from .harness import Capture, run_stack
from .project import load_project

#: Where a traffic assumption's value comes from.
SET_IN_STACK, SET_IN_PROJECT, DEFAULT = "set in the stack", "set in Pulumi.yaml", "default"


def traffic_from_capture(capture: Capture) -> Traffic:
    """The traffic assumptions in ``capture.config`` (keys ``<project>:trafficDevices`` or
    ``iot-tiers:trafficDevices``), defaults for the rest. Raises ValueError naming bad keys."""
    return Traffic.from_config(capture.config, namespaces=tuple({capture.project, "iot-tiers"}))


def traffic_origins(program_dir: Union[str, Path], stack: str, traffic: Traffic) -> dict[str, str]:
    """For each traffic key, whether the stack file sets it, Pulumi.yaml gives it another
    default, or the cost model's default applies (Pulumi.yaml's declared defaults equal to
    the model's are the model's)."""
    project = load_project(program_dir)
    namespaces = {project.name, "iot-tiers"}
    in_stack: set[str] = set()
    try:
        import yaml

        doc = yaml.safe_load(project.stack_file(stack).read_text()) or {}
        for full in (doc.get("config") or {}):
            ns, _, key = str(full).rpartition(":")
            if ns in namespaces or not ns:
                in_stack.add(key)
    except (OSError, ValueError, AttributeError):
        pass
    out = {}
    for f in FIELDS:
        if f.key in in_stack:
            out[f.key] = SET_IN_STACK
        elif getattr(traffic, f.arg) != f.default:
            out[f.key] = SET_IN_PROJECT
        else:
            out[f.key] = DEFAULT
    return out


def estimate_capture(capture: Capture, prices: Optional[PriceTable] = None,
                     traffic: Optional[Traffic] = None, usage: Optional[Usage] = None) -> Estimate:
    """Monthly estimate of a captured stack.

    ``prices`` defaults to the bundled us-east-1 table; ``traffic`` defaults to the
    assumptions in the stack's config (see :func:`traffic_from_capture`); ``usage``
    (default none) gives per-resource usage. The stack's region is its
    ``aws:region`` config.
    """
    return estimate(from_captured(capture.resources), traffic or traffic_from_capture(capture),
                    prices or load_prices(), usage=usage, stack_region=capture.config.get("aws:region"))


def cost_stack(program_dir: Union[str, Path], stack: str, prices_file: Optional[str] = None,
               usage: Optional[Usage] = None) -> tuple[Capture, Estimate]:
    """Run the program for ``stack`` under mocks and price what it registers."""
    prices = load_prices(prices_file)
    capture = run_stack(program_dir, stack)
    return capture, estimate_capture(capture, prices, usage=usage)


# ---------------------------------------------------------------- small renderings shared by the CLI

def money(usd: Optional[float]) -> str:
    if usd is None:
        return "-"
    if abs(usd) < 0.01 and usd:
        return f"${usd:.4f}" if usd > 0 else f"-${-usd:.4f}"
    return f"${usd:,.2f}" if usd >= 0 else f"-${-usd:,.2f}"


def signed(usd: float) -> str:
    """``+$12.34`` / ``-$0.50`` / ``$0.00``."""
    if round(usd, 2) == 0:
        return "$0.00" if abs(usd) < 0.005 else ("+" if usd > 0 else "") + money(usd)
    return ("+" if usd > 0 else "") + money(usd)


def quantity(q: float) -> str:
    return f"{q:,.0f}" if abs(q) >= 100 or float(q).is_integer() else f"{q:,.3g}"


def render_table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def estimate_summary(est: Estimate) -> dict[str, Any]:
    """The short form ``tiers preview --json`` embeds: total, per-tier subtotals, and what it must say
    (a region the prices are not for, estimated rates, resources not priced)."""
    return {"total_usd": round(est.total, 2), "tiers": {k: round(v, 2) for k, v in est.tiers().items()},
            "region": est.region, "stack_region": est.stack_region, "complete": not est.unpriced(),
            "warnings": list(est.warnings)}


def render_estimate(est: Estimate, capture: Optional[Capture] = None, *, show_zero: bool = False,
                    origins: Optional[dict[str, str]] = None) -> str:
    from .cost_report import render_estimate as render

    return render(est, capture, show_zero=show_zero, origins=origins)


__all__ = ["cost_stack", "estimate_capture", "estimate_summary", "render_estimate", "traffic_from_capture",
           "traffic_origins"]
