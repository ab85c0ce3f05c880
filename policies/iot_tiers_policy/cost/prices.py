"""The price table: list prices as data, with where each one comes from.

The bundled table is ``prices/us-east-1.json``. ``load_prices(path)`` reads another
file in the same shape, for a different region or negotiated rates; a file may give
only some entries (and only some instance types): the rest come from the bundled
table, so an override stays short. Every entry keeps its ``source`` (the AWS
pricing page) and ``read`` (the date it was checked, or ``null``), so an estimate can
say what it stands on.

Pure Python: this module ships inside the published policy pack.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

#: The bundled table.
DEFAULT_PRICES = Path(__file__).resolve().parent / "prices" / "us-east-1.json"


class PriceError(ValueError):
    """A price file is missing, malformed, or lacks a price an estimate needs."""


@dataclass(frozen=True)
class Price:
    """One list price: ``usd`` for every ``per`` units of ``unit``.

    ``tiers`` (optional) are volume tiers, each ``{"up_to": cumulative units or None,
    "usd": price per ``per`` units}``; a tiered price is charged tier by tier.
    """

    key: str
    usd: float
    per: float
    unit: str
    source: str
    read: Optional[str]
    basis: str = ""
    tiers: tuple = ()

    def cost(self, quantity: float) -> float:
        """What ``quantity`` units cost, tier by tier when the price is tiered."""
        if quantity <= 0:
            return 0.0
        if not self.tiers:
            return quantity / self.per * self.usd
        total, below = 0.0, 0.0
        for tier in self.tiers:
            top = math.inf if tier["up_to"] is None else float(tier["up_to"])
            in_tier = min(quantity, top) - below
            if in_tier > 0:
                total += in_tier / self.per * float(tier["usd"])
            below = top
            if quantity <= top:
                break
        return total


@dataclass(frozen=True)
class Instance:
    """An EC2 instance type's shape and hourly prices (Linux)."""

    name: str
    vcpu: int
    memory_gib: float
    arch: str
    on_demand_hourly: float
    reserved_1y_no_upfront_hourly: Optional[float]
    burst_baseline: Optional[float]
    accelerator: Optional[str]

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]


class PriceTable:
    """Lookup over a loaded price document; errors name the missing key and the known ones."""

    def __init__(self, doc: Mapping[str, Any], origin: str) -> None:
        self.doc = doc
        self.origin = origin
        self.region: str = doc["region"]
        self.currency: str = doc.get("currency", "USD")
        self.hours_per_month: float = float(doc.get("hours_per_month", 730))

    def price(self, key: str) -> Price:
        entry = self.doc["prices"].get(key)
        if entry is None:
            near = difflib.get_close_matches(key, self.doc["prices"], n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise PriceError(f"{self.origin}: no price {key!r}{hint}")
        return Price(key, float(entry["usd"]), float(entry.get("per", 1)), entry["unit"], entry["source"],
                     entry.get("read"), entry.get("basis", ""), tuple(entry.get("tiers") or ()))

    def cost(self, key: str, quantity: float) -> float:
        return self.price(key).cost(quantity)

    def instance(self, instance_type: str) -> Instance:
        known = self.doc["ec2"]["instances"]
        row = known.get(instance_type)
        if row is None:
            raise PriceError(
                f"no price for EC2 instance type {instance_type!r} in {self.origin}; priced types: "
                f"{', '.join(sorted(known))} (add it with --prices FILE)")
        return Instance(instance_type, int(row["vcpu"]), float(row["memory_gib"]), row["arch"],
                        float(row["on_demand_hourly"]),
                        None if row.get("reserved_1y_no_upfront_hourly") is None else float(row["reserved_1y_no_upfront_hourly"]),
                        None if row.get("burst_baseline") is None else float(row["burst_baseline"]),
                        row.get("accelerator"))

    def instance_types(self) -> list[str]:
        return sorted(self.doc["ec2"]["instances"])

    def spot_discount(self, instance_type: str) -> float:
        spot = self.doc["ec2"]["spot_discount"]
        return float(spot["families"].get(instance_type.split(".", 1)[0], spot["default"]))

    def sources(self) -> dict[str, dict[str, Any]]:
        """Every price key with its source and read date (for reports)."""
        out = {k: {"source": v["source"], "read": v.get("read")} for k, v in self.doc["prices"].items()}
        out["ec2.instances"] = {"source": self.doc["ec2"]["source"], "read": self.doc["ec2"].get("read")}
        return out


_REQUIRED_ENTRY = ("usd", "unit", "source")


def _validate(doc: Any, origin: str, *, partial: bool) -> None:
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise PriceError(f"{origin}: a price file is a JSON object with 'region' and 'prices'")
    if not partial and "region" not in doc:
        problems.append("missing 'region'")
    if "region" in doc and not isinstance(doc["region"], str):
        problems.append("'region' must be a string such as \"eu-west-1\"")
    for key, entry in (doc.get("prices") or {}).items():
        if not isinstance(entry, dict):
            problems.append(f"prices.{key} must be an object with {', '.join(_REQUIRED_ENTRY)}")
            continue
        for field in _REQUIRED_ENTRY:
            if field not in entry and not partial:
                problems.append(f"prices.{key} has no {field!r}")
        usd = entry.get("usd")
        if usd is not None and (not isinstance(usd, (int, float)) or isinstance(usd, bool) or usd < 0):
            problems.append(f"prices.{key}.usd={usd!r}: must be a number >= 0")
        per = entry.get("per", 1)
        if not isinstance(per, (int, float)) or per <= 0:
            problems.append(f"prices.{key}.per={per!r}: must be a number > 0")
    for name, row in ((doc.get("ec2") or {}).get("instances") or {}).items():
        if not isinstance(row, dict):
            problems.append(f"ec2.instances.{name} must be an object")
            continue
        od = row.get("on_demand_hourly")
        if od is not None and (not isinstance(od, (int, float)) or od < 0):
            problems.append(f"ec2.instances.{name}.on_demand_hourly={od!r}: must be a number >= 0")
    if problems:
        raise PriceError(f"{origin} is not a valid price file:\n  - " + "\n  - ".join(problems))


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise PriceError(f"price file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise PriceError(f"price file {path} is not valid JSON: {exc}") from None


def load_prices(path: Union[str, Path, None] = None) -> PriceTable:
    """The bundled us-east-1 table, overlaid with the file at ``path`` if given.

    ``path`` (default ``None``: the bundled table alone) names a JSON file in the
    bundled file's shape. Its ``region`` replaces the region; its ``prices`` entries
    replace or extend the bundled ones field by field (an entry may give only
    ``usd``, but a new key needs ``usd``, ``unit`` and ``source``); its
    ``ec2.instances`` rows replace or add instance types. Unknown price keys are
    refused, with the closest known key, so a typo cannot silently keep a default.
    """
    base = _read(DEFAULT_PRICES)
    _validate(base, str(DEFAULT_PRICES), partial=False)
    if path is None:
        return PriceTable(base, "the bundled us-east-1 price table")
    path = Path(path)
    override = _read(path)
    _validate(override, str(path), partial=True)
    merged = copy.deepcopy(base)
    problems = []
    for key, entry in (override.get("prices") or {}).items():
        if key in merged["prices"]:
            merged["prices"][key].update(entry)
            if "usd" in entry and "tiers" not in entry:
                merged["prices"][key].pop("tiers", None)  # a flat override replaces tiers
        elif all(f in entry for f in _REQUIRED_ENTRY):
            merged["prices"][key] = dict(entry)
        else:
            near = difflib.get_close_matches(key, merged["prices"], n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            problems.append(f"prices.{key} is not a known price ({hint}a new price needs usd, unit and source)")
    for name, row in ((override.get("ec2") or {}).get("instances") or {}).items():
        current = merged["ec2"]["instances"].get(name)
        if current is None and not {"vcpu", "memory_gib", "arch", "on_demand_hourly"} <= set(row):
            problems.append(f"ec2.instances.{name}: a new instance type needs vcpu, memory_gib, arch and on_demand_hourly")
            continue
        merged["ec2"]["instances"][name] = {**(current or {}), **row}
    for field in ("source", "read", "basis"):
        if field in (override.get("ec2") or {}):
            merged["ec2"][field] = override["ec2"][field]
    if problems:
        raise PriceError(f"{path} is not a valid price file:\n  - " + "\n  - ".join(problems))
    for field in ("region", "currency", "hours_per_month", "about"):
        if field in override:
            merged[field] = override[field]
    return PriceTable(merged, str(path))
