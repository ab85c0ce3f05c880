"""What the quota report is made of: the quotas (from ``defaults.json``), each resource's part of a
need, the need per quota, and what could not be assessed."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

DEFAULTS = Path(__file__).resolve().parent / "defaults.json"


@dataclass(frozen=True)
class Quota:
    """One Service Quotas quota: what a user requests (``service_code``, ``quota_code``) and its defaults.

    ``default`` is AWS's documented default; ``new_account`` the lower value a new account may start
    with, when there is one to say (``None`` otherwise); a need above :attr:`threshold` is reported.
    """

    key: str
    title: str
    service_code: str
    quota_code: str
    unit: str
    default: float
    source: str
    new_account: Optional[float] = None
    new_account_basis: str = ""
    code_basis: str = ""
    if_short: str = ""

    @property
    def threshold(self) -> float:
        """What a first deploy may have: the new-account value where it is lower than the default."""
        return self.default if self.new_account is None else min(self.default, self.new_account)

    def request(self, desired: float, region: Optional[str] = None) -> str:
        """The AWS CLI command that asks for ``desired`` (rounded up to a whole number)."""
        where = f" --region {region}" if region else ""
        return (f"aws service-quotas request-service-quota-increase{where} --service-code {self.service_code} "
                f"--quota-code {self.quota_code} --desired-value {math.ceil(desired)}")


@dataclass(frozen=True)
class Part:
    """What one resource adds to a need, and how that was computed."""

    resource: str
    type: str
    amount: float
    how: str


@dataclass
class Need:
    """What the stack needs of one quota: the sum of its parts (or one part a reader aggregated itself)."""

    quota: Quota
    parts: list[Part] = field(default_factory=list)

    @property
    def amount(self) -> float:
        return sum(p.amount for p in self.parts)

    @property
    def exceeds(self) -> bool:
        """True when a new account's value would not cover it."""
        return self.amount > self.quota.threshold

    def as_json(self, region: Optional[str] = None) -> dict[str, Any]:
        q = self.quota
        return {"quota": q.key, "title": q.title, "serviceCode": q.service_code, "quotaCode": q.quota_code,
                "unit": q.unit, "need": _number(self.amount), "default": _number(q.default),
                "newAccount": None if q.new_account is None else _number(q.new_account),
                "exceedsNewAccount": self.exceeds,
                "how": "; ".join(p.how for p in self.parts),
                "parts": [{"resource": p.resource, "type": p.type, "amount": _number(p.amount), "how": p.how}
                          for p in self.parts],
                "request": q.request(self.amount, region) if self.exceeds else None,
                "ifShort": q.if_short, "source": q.source,
                "caveats": [c for c in (q.new_account_basis, q.code_basis) if c]}


@dataclass(frozen=True)
class NotAssessed:
    """A resource whose share of a quota could not be worked out, and why (never a crash)."""

    resource: str
    type: str
    what: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"resource": self.resource, "type": self.type, "what": self.what, "reason": self.reason}


class NotAssessable(Exception):
    """Raised by a reader's helpers: the resource's share cannot be computed (the message says why)."""


@dataclass
class QuotaReport:
    """Every need the stack has of the quotas in ``defaults.json``, and what was not assessed."""

    needs: list[Need]
    not_assessed: list[NotAssessed]
    region: Optional[str] = None

    @property
    def exceeding(self) -> list[Need]:
        """The needs above what a new account has: what to request before ``pulumi up``."""
        return [n for n in self.needs if n.exceeds]

    def need(self, key: str) -> Optional[Need]:
        return next((n for n in self.needs if n.quota.key == key), None)

    def as_json(self) -> dict[str, Any]:
        return {"region": self.region,
                "exceeding": [n.as_json(self.region) for n in self.exceeding],
                "needs": [n.as_json(self.region) for n in self.needs],
                "notAssessed": [n.as_json() for n in self.not_assessed],
                "source": {"file": DEFAULTS.name, "read": defaults()["read"]}}


def _number(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 3)


@lru_cache(maxsize=1)
def defaults() -> dict[str, Any]:
    """The bundled ``defaults.json`` (quota codes, defaults, sources, the EC2 instance classes)."""
    return json.loads(DEFAULTS.read_text())


@lru_cache(maxsize=None)
def quota(key: str) -> Quota:
    """The quota ``key`` of ``defaults.json`` (e.g. ``ec2.on_demand.g_vt``)."""
    entry = defaults()["quotas"][key]
    return Quota(key=key, title=entry["title"], service_code=entry["service_code"], quota_code=entry["quota_code"],
                 unit=entry["unit"], default=float(entry["default"]), source=entry["source"],
                 new_account=None if entry.get("new_account") is None else float(entry["new_account"]),
                 new_account_basis=entry.get("new_account_basis", ""), code_basis=entry.get("code_basis", ""),
                 if_short=entry.get("if_short") or _vcpu_if_short(key))


def _vcpu_if_short(key: str) -> str:
    """The EC2 vCPU quotas share one consequence (``ec2_vcpu_if_short``)."""
    return defaults()["ec2_vcpu_if_short"] if key.startswith(("ec2.on_demand.", "ec2.spot.")) else ""
