"""Data Lifecycle Manager: the EBS snapshots a policy's schedules keep, priced on the policy.

A schedule takes a snapshot of every target volume (volumes whose tags carry all the
policy's ``targetTags``) each ``createRule.interval`` hours and keeps ``retainRule.count``
of them (or those younger than ``retainRule.interval``). Snapshots are incremental:
the first holds the volume's used data, each later one the blocks changed since
(:func:`..formulas.snapshot_storage_gb`). DLM itself is free.
"""

from __future__ import annotations

from typing import Any, Mapping

from ...graph import Node
from .. import formulas as f
from ..model import Priced, Unpriced
from ..registry import Context, number, pricer
from ..usage import UsageKey
from ..view import tags_match
from .ebs import VOLUME

HOURS_PER = {"HOURS": 1, "DAYS": 24, "WEEKS": 24 * 7, "MONTHS": 730, "YEARS": 8760}


def _interval_hours(rule: Mapping[str, Any]) -> tuple[float, str]:
    if rule.get("interval") is not None:
        unit = str(rule.get("intervalUnit") or "HOURS").upper()
        if unit not in HOURS_PER:
            raise Unpriced(f"createRule.intervalUnit={unit!r}: allowed values are HOURS")
        return float(rule["interval"]) * HOURS_PER[unit], ""
    if rule.get("cronExpression"):
        return 24.0, f"cron schedule {rule['cronExpression']!r} taken as daily"
    raise Unpriced("a schedule's createRule gives neither interval nor cronExpression")


def _kept(rule: Mapping[str, Any], interval_h: float) -> int:
    if rule.get("count") is not None:
        return int(rule["count"])
    if rule.get("interval") is not None:
        unit = str(rule.get("intervalUnit") or "DAYS").upper()
        if unit not in HOURS_PER:
            raise Unpriced(f"retainRule.intervalUnit={unit!r}: allowed values are {', '.join(HOURS_PER)}")
        return max(1, int(float(rule["interval"]) * HOURS_PER[unit] // interval_h))
    raise Unpriced("a schedule's retainRule gives neither count nor interval")


@pricer("aws:dlm/lifecyclePolicy:LifecyclePolicy", usage=[
    UsageKey("used_percent", "Share of each target volume holding data, percent (default: 100, an upper bound)."),
    UsageKey("daily_change_percent", "Share of each target volume rewritten a day, percent (default: 2)."),
])
def lifecycle_policy(node: Node, ctx: Context) -> Priced:
    if str(node.props.get("state") or "ENABLED").upper() != "ENABLED":
        return Priced([], {"state": node.props.get("state")}, note="disabled: takes no snapshots")
    details = node.props.get("policyDetails") or {}
    if details.get("policyType", "EBS_SNAPSHOT_MANAGEMENT") != "EBS_SNAPSHOT_MANAGEMENT":
        raise Unpriced(f"policyType {details.get('policyType')!r}: only EBS_SNAPSHOT_MANAGEMENT is priced")
    wanted = details.get("targetTags") or {}
    volumes = [v for v in ctx.view.of_type(VOLUME) if tags_match(v.props.get("tags"), wanted)]
    used = ctx.use("used_percent", 100) / 100
    change = ctx.use("daily_change_percent", 2) / 100
    items, notes, kept_total = [], [], 0
    for schedule in details.get("schedules") or []:
        interval_h, note = _interval_hours(schedule.get("createRule") or {})
        kept = _kept(schedule.get("retainRule") or {}, interval_h)
        kept_total += kept
        if note:
            notes.append(note)
        for v in volumes:
            size = number(v, "size", 0)
            gb = f.snapshot_storage_gb(used_gb=size * used, daily_change_gb=size * change,
                                       interval_hours=interval_h, kept=kept)
            item = f.snapshot_costs(ctx.prices, gb_months=gb, what=f"snapshots of {v.name} ({kept} kept)")[0]
            item.note = (f"{size * used:g} GB used + {kept - 1} x {min(size * used, size * change * interval_h / 24):g} "
                         f"GB changed every {interval_h:g} h" + (f"; {'; '.join(notes)}" if notes else ""))
            items.append(item)
    drivers = {"volumes": [v.name for v in volumes], "snapshots_kept": kept_total,
               "used_percent": used * 100, "daily_change_percent": change * 100}
    if not volumes:
        return Priced([], drivers, note="no volume in the stack carries its target tags")
    return Priced(items, drivers)
