"""The end-of-run account: every published reading written, rejected with a reason, or in flight.

:func:`reconcile` matches the simulator's :class:`~iot_tiers.local.simulator.Ledger`
reading by reading against what the backend holds at the end:

* **written**: a table item ``pk=DEVICE#<id>``, ``sk=TS#<timestamp>`` whose device
  and timestamp (to the millisecond) are those of a published reading;
* **rejected**: a message on the rejects queue, either the handler's envelope
  (``reason``, ``field``, ``detail``, ``record``; matched on the record's
  ``deviceId`` and ``seq``) or the rule's error-action message
  (``base64OriginalPayload``; matched on the payload bytes);
* **in flight**: the rest, split by where the counts say they are: not yet at the
  rule, at the rule, queued, awaiting a retry (invisible on the queue),
  dead-lettered, and whatever none of these explains (``unaccounted``: a bug).

So ``published == written + rejected + in flight`` holds by construction, and the
breakdown of in flight says whether anything is missing.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from .simulator import Ledger, Published

#: Reason labels of the rule stand-in's refusals (handler reasons are used as they come).
RULE_REASONS = {"not JSON": "rule: not JSON", "not an object": "rule: not a JSON object"}


@dataclass
class Where:
    """Counts that locate readings not yet written or rejected (all taken at the end)."""

    published_seen_by_rule: int = 0
    rule_backlog: int = 0
    queue_visible: int = 0
    queue_invisible: int = 0
    dead_lettered: int = 0


@dataclass
class Account:
    """The reconciliation's result (see the module docstring)."""

    published: int
    by_kind: dict[str, int]
    written: int
    rejected_by_reason: dict[str, int]
    in_flight: dict[str, int]
    alerts_expected: int
    foreign_written: int = 0
    foreign_rejected: int = 0
    mismatched: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    @property
    def in_flight_total(self) -> int:
        return sum(self.in_flight.values())

    @property
    def balanced(self) -> bool:
        return self.published == self.written + self.rejected + self.in_flight_total

    @property
    def lost(self) -> int:
        return self.in_flight.get("unaccounted", 0)


def parse_sort_key_ms(sk: str) -> Optional[int]:
    """Epoch ms of a ``TS#<ISO-8601>`` sort key, or None if it is not one."""
    if not sk.startswith("TS#"):
        return None
    text = sk[3:]
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return int(round(parsed.timestamp() * 1000))


def rejected_identity(body: str) -> tuple[Optional[tuple[str, Any]], str]:
    """(how to find the reading, reason label) of one rejects-queue message body.

    The first element is ``("seq", (device, seq))``, ``("payload", bytes)`` or None.
    """
    try:
        doc = json.loads(body)
    except ValueError:
        return None, "unreadable reject"
    if not isinstance(doc, dict):
        return None, "unreadable reject"
    if "base64OriginalPayload" in doc:  # the rule's error action
        message = " ".join(str(f.get("errorMessage", "")) for f in doc.get("failures") or [])
        label = next((v for k, v in RULE_REASONS.items() if k in message), "rule: error action")
        try:
            payload = base64.b64decode(doc["base64OriginalPayload"])
        except (ValueError, TypeError):
            return None, label
        return ("payload", payload), label
    reason = str(doc.get("reason") or "unknown")
    label = f"{reason} ({doc['field']})" if doc.get("field") else reason
    record = doc.get("record")
    if isinstance(record, dict) and isinstance(record.get("deviceId"), str) and isinstance(record.get("seq"), int):
        return ("seq", (record["deviceId"], record["seq"])), label
    return None, label


def reconcile(ledger: Ledger, items: list[dict[str, Any]], reject_bodies: list[str], where: Where,
              threshold: float) -> Account:
    """Account for every reading in ``ledger``.

    Args:
        ledger: what the simulator published.
        items: the table's reading items (low-level attribute values, ``pk``/``sk``).
        reject_bodies: bodies of every message on the rejects queue.
        where: counts locating the rest (see :class:`Where`).
        threshold: the alert threshold; written readings above it should each have alerted.
    """
    outcome: dict[int, str] = {}  # id(reading) -> "written" or a reason label
    by_id: dict[int, Published] = {}
    foreign_written = foreign_rejected = 0
    mismatched: list[str] = []

    for item in items:
        pk, sk = item.get("pk", {}).get("S", ""), item.get("sk", {}).get("S", "")
        ms = parse_sort_key_ms(sk)
        device = pk[len("DEVICE#"):] if pk.startswith("DEVICE#") else None
        reading = ledger.by_key.get((device, ms)) if device is not None and ms is not None else None
        if reading is None:
            foreign_written += 1
            continue
        outcome[id(reading)] = "written"
        by_id[id(reading)] = reading

    for body in reject_bodies:
        identity, label = rejected_identity(body)
        reading = None
        if identity is not None:
            kind, key = identity
            reading = ledger.by_seq.get(key) if kind == "seq" else ledger.by_payload.get(key)
        if reading is None:
            foreign_rejected += 1
            continue
        if outcome.get(id(reading)) == "written":
            mismatched.append(f"{reading.device}#{reading.seq} is both written and rejected ({label})")
            continue
        outcome[id(reading)] = label
        by_id[id(reading)] = reading

    written = sum(1 for v in outcome.values() if v == "written")
    reasons = Counter(v for v in outcome.values() if v != "written")
    for reading in by_id.values():
        expected_written = reading.kind in ("normal", "hot")
        if (outcome[id(reading)] == "written") != expected_written:
            mismatched.append(f"{reading.device}#{reading.seq} ({reading.kind}) ended "
                              f"{outcome[id(reading)]}")

    rest = len(ledger) - written - sum(reasons.values())
    in_flight = {"notYetAtRule": 0, "atRule": 0, "queued": 0, "awaitingRetry": 0,
                 "deadLettered": 0, "unaccounted": 0}
    remaining = rest
    for key, count in (("notYetAtRule", max(0, len(ledger) - where.published_seen_by_rule)),
                       ("atRule", where.rule_backlog), ("queued", where.queue_visible),
                       ("awaitingRetry", where.queue_invisible), ("deadLettered", where.dead_lettered)):
        take = min(remaining, max(0, count))
        in_flight[key] = take
        remaining -= take
    in_flight["unaccounted"] = remaining

    alerts_expected = sum(1 for r in by_id.values()
                          if outcome[id(r)] == "written" and r.temperature is not None and r.temperature > threshold)
    return Account(published=len(ledger), by_kind=ledger.kinds(), written=written,
                   rejected_by_reason=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
                   in_flight=in_flight, alerts_expected=alerts_expected,
                   foreign_written=foreign_written, foreign_rejected=foreign_rejected,
                   mismatched=mismatched)


IN_FLIGHT_LABELS = {
    "notYetAtRule": "not yet at the rule",
    "atRule": "at the rule",
    "queued": "queued",
    "awaitingRetry": "awaiting retry (invisible until the visibility timeout)",
    "deadLettered": "dead-lettered",
    "unaccounted": "UNACCOUNTED (lost)",
}


def format_account(account: Account, alerts_published: int, alerts_relayed: int,
                   handler: dict[str, Any], threshold: float) -> str:
    """The human summary: counts that add up, with the reasons and where in-flight readings are."""
    width = len(str(account.published))
    lines = []
    kinds = ", ".join(f"{k} {v}" for k, v in account.by_kind.items() if v)
    lines.append(f"  published   {account.published:>{width}}   ({kinds})")
    lines.append(f"  written     {account.written:>{width}}")
    reasons = ", ".join(f"{k} {v}" for k, v in account.rejected_by_reason.items()) or "none"
    lines.append(f"  rejected    {account.rejected:>{width}}   ({reasons})")
    flight = ", ".join(f"{IN_FLIGHT_LABELS[k]} {v}" for k, v in account.in_flight.items() if v) or "none"
    lines.append(f"  in flight   {account.in_flight_total:>{width}}   ({flight})")
    check = "adds up" if account.balanced else "DOES NOT ADD UP"
    lines.append(f"  {account.written} written + {account.rejected} rejected + {account.in_flight_total} "
                 f"in flight = {account.written + account.rejected + account.in_flight_total} of "
                 f"{account.published} published: {check}")
    lines.append(f"  alerts: {account.alerts_expected} written reading(s) above {threshold:g} C -> "
                 f"{alerts_published} published to SNS -> {alerts_relayed} relayed to MQTT alerts/<deviceId>")
    if handler:
        lines.append(f"  handler: {handler.get('invocations', 0)} invocation(s), {handler.get('records', 0)} "
                     f"record(s), {handler.get('failed_records', 0)} reported failed, "
                     f"{handler.get('failed_invocations', 0)} invocation error(s)")
    if account.foreign_written or account.foreign_rejected:
        lines.append(f"  also from other publishers: {account.foreign_written} written, "
                     f"{account.foreign_rejected} rejected")
    for problem in account.mismatched[:10]:
        lines.append(f"  unexpected: {problem}")
    return "\n".join(lines)


__all__ = ["Account", "IN_FLIGHT_LABELS", "RULE_REASONS", "Where", "format_account",
           "parse_sort_key_ms", "reconcile", "rejected_identity"]
