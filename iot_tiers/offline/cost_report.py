"""How ``tiers cost`` shows an estimate and a diff: a text table, and markdown for a pull request.

Every rendering carries what the estimate must say wherever it is shown: the
warnings (prices of another region than the stack's, estimated rates, resources not
priced) and where the prices come from (the price table, the EC2 dataset's source
and date).
"""

from __future__ import annotations

from typing import Any, Optional

from iot_tiers_policy.cost import Estimate
from iot_tiers_policy.cost.diff import Diff
from iot_tiers_policy.cost.traffic import FIELDS

from .costing import DEFAULT, money, quantity, render_table, signed
from .harness import Capture

STATUS_WORDS = {"priced": "priced", "usage-based": "usage-based ($0 until the usage file gives usage)",
                "free": "free", "component": "components", "via-children": "priced through their children",
                "unpriced": "NOT priced"}


def _mark(item) -> str:
    return "*" if item.estimated else ""


def sources(est: Estimate) -> list[str]:
    out = [f"prices: {est.price_origin}; each price's source page and check date are in the price file"]
    if est.ec2_source_line:
        out.append(est.ec2_source_line)
    if est.usage_origin:
        out.append(f"usage: {est.usage_origin}")
    return out


def resource_summary(est: Estimate) -> str:
    c = est.counts()
    parts = [f"{c[s]} {STATUS_WORDS[s]}" for s in ("priced", "usage-based", "free", "component", "via-children",
                                                 "unpriced") if c[s]]
    return f"{sum(c.values())} resources: " + ", ".join(parts)


def render_estimate(est: Estimate, capture: Optional[Capture] = None, *, show_zero: bool = False,
                    origins: Optional[dict[str, str]] = None) -> str:
    """The estimate as a text report: warnings, line items by tier, subtotals, total, assumptions, notes."""
    title = "Monthly cost estimate"
    if capture is not None:
        title += f" of stack {capture.stack} (project {capture.project})"
    out = [f"{title}: {est.region} list prices, USD, a month of 730 hours"]
    out += [f"WARNING: {w}" for w in est.warnings]
    out.append("")
    rows, hidden = [], 0
    for tier, subtotal in est.tiers().items():
        for i in (x for x in est.items if x.tier == tier):
            if not show_zero and i.usd == 0:
                hidden += 1
                continue
            rows.append([tier, i.resource, i.service, i.item, quantity(i.quantity), i.unit, money(i.usd) + _mark(i),
                         i.note])
        rows.append(["", "", "", f"{tier} subtotal", "", "", money(subtotal), ""])
    rows.append(["TOTAL", "", "", "", "", "", money(est.total), ""])
    out.append(render_table(["TIER", "RESOURCE", "SERVICE", "ITEM", "QUANTITY", "UNIT", "USD/MONTH", "NOTE"],
                            rows, right={4, 6}))
    if hidden:
        out.append(f"({hidden} line items at $0.00 not shown; --all or --json lists them)")
    if est.estimated_items():
        out.append("* priced from an estimated rate (see the warning above)")
    out += ["", resource_summary(est)]
    for r in est.unpriced():
        bound = "" if r.bound_usd is None else f" (could add up to {money(r.bound_usd)}: {r.bound_basis})"
        out.append(f"  not priced: {r.name} ({r.type}): {r.reason}{bound}")
    usage_based = [r for r in est.resources if r.status == "usage-based"]
    if usage_based:
        out.append("  usage-based, $0 here: " + ", ".join(r.name for r in usage_based)
                   + " (tiers cost --sync-usage FILE writes their usage keys)")
    out += ["", "Assumptions (stack config keys; set them in Pulumi.<stack>.yaml):"]
    for f in FIELDS:
        value = getattr(est.traffic, f.arg)
        origin = (origins or {}).get(f.key, DEFAULT)
        out.append(f"  {f.key} = {value:g}  ({origin})  {f.description}")
    out += ["", "Notes:"] + [f"  - {n}" for n in est.notes] + [f"  - {s}" for s in sources(est)]
    return "\n".join(out)


# ---------------------------------------------------------------- diffs

def render_diff(diff: Diff) -> str:
    """The diff as text, in the shape of ``infracost diff``: one block per changed resource."""
    out = [f"Monthly cost change, {diff.after_label} compared to {diff.before_label}:", ""]
    out += [f"WARNING: {w}" for w in diff.warnings]
    sign = {"added": "+", "removed": "-", "changed": "~"}
    for c in diff.changes:
        out.append(f"{sign[c.change]} {c.name} ({c.type}, {c.tier})")
        out.append(f"  {signed(c.delta)} ({money(c.before)} -> {money(c.after)})" + (
            f"  because {'; '.join(c.reasons)}" if c.reasons else ""))
        for i in c.items:
            out.append(f"    {signed(i.delta):>12}  {i.item} ({money(i.before)} -> {money(i.after)})")
        out.append("")
    if not diff.changes:
        out += ["No resource changed cost.", ""]
    if diff.assumptions:
        out.append("Assumptions changed: " + ", ".join(f"{k} {a} -> {b}" for k, (a, b) in diff.assumptions.items()))
    pct = "" if diff.percent is None else f" ({diff.percent:+.1f}%)"
    out.append(f"Amount: {signed(diff.delta)}{pct}, {money(diff.before_total)} -> {money(diff.after_total)} a month")
    return "\n".join(out)


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(est: Estimate, capture: Optional[Capture] = None, diff: Optional[Diff] = None,
                    *, top: int = 10) -> str:
    """A pull-request comment: the summary, the diff (when comparing), the top ``top`` line items."""
    where = f" of stack `{capture.stack}` (project `{capture.project}`)" if capture is not None else ""
    out = [f"### tiers cost{where}", ""]
    if diff is not None:
        pct = "" if diff.percent is None else f", {diff.percent:+.1f}%"
        verb = "increases" if diff.delta > 0.005 else "decreases" if diff.delta < -0.005 else "does not change"
        out.append(f"Monthly estimate **{verb}** by **{signed(diff.delta)}**{pct}: {money(diff.before_total)} "
                   f"-> **{money(diff.after_total)}** (compared to `{diff.before_label}`).")
    else:
        out.append(f"Monthly estimate: **{money(est.total)}**.")
    out.append("")
    for w in est.warnings + (diff.warnings if diff else []):
        out.append(f"> **Warning:** {_md_escape(w)}")
    if est.warnings or (diff and diff.warnings):
        out.append("")
    if diff is not None:
        if diff.changes:
            out += ["| Resource | Change | Before | After | Delta | Why |", "|---|---|---:|---:|---:|---|"]
            for c in diff.changes:
                out.append(f"| `{c.name}` | {c.change} | {money(c.before)} | {money(c.after)} | {signed(c.delta)} "
                           f"| {_md_escape('; '.join(c.reasons))} |")
        else:
            out.append("No resource changed cost.")
        if diff.assumptions:
            out += ["", "Assumptions changed: " + ", ".join(f"`{k}` {a} -> {b}" for k, (a, b) in diff.assumptions.items())]
        out.append("")
    tiers = " · ".join(f"{t} {money(v)}" for t, v in est.tiers().items())
    out += [f"By tier: {tiers}", "", f"<details><summary>Top {top} line items</summary>", "",
            "| Resource | Service | Item | Quantity | USD/month |", "|---|---|---|---:|---:|"]
    for i in est.top(top):
        out.append(f"| `{i.resource}` | {i.service} | {_md_escape(i.item)} | {quantity(i.quantity)} {i.unit} "
                   f"| {money(i.usd)}{_mark(i)} |")
    out += ["", "</details>", "", f"{resource_summary(est)}. "
            + " ".join(_md_escape(s) + "." for s in sources(est))]
    return "\n".join(out)


def diff_json(diff: Diff, doc: dict[str, Any]) -> dict[str, Any]:
    """The ``--json`` document of a comparison: the estimate, plus its diff (Infracost's ``diff`` key)."""
    return {**doc, "diff": diff.as_json()}
