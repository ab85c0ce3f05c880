"""The price table: list prices as data, with where each one comes from.

Two bundled files make the table:

* ``prices/us-east-1.json``: every service price the formulas use (Lambda, Fargate,
  EBS by volume type, IoT Core...), each entry with its ``source`` (the AWS pricing
  page), ``read`` (the date it was checked, or ``null``) and ``basis`` (against
  what); plus, for EC2, the rows that give an instance type's shape and 1-year
  reserved rate, and the typical Spot discount per family.
* ``prices/ec2-on-demand-us-east-1.json``: the Linux on-demand hourly price of
  every instance type (1,367 of them), a dataset whose header names its source,
  the date it was generated and its licence. That header travels with every
  estimate that uses an EC2 price.

A type without a reserved rate gets one *estimated* by a stated rule (its
family's ratio of reserved to on-demand among the rows, else the median ratio of
all rows), and a family without a Spot discount gets the default one; both are
marked ``estimated`` wherever they are used.

``load_prices(path)`` reads another file in the shape of ``us-east-1.json``, for a
different region or negotiated rates; a file may give only some entries (and only
some instance types): the rest come from the bundled table, so an override stays
short, and the table remembers which prices came from where.

Pure Python: this module ships inside the published policy pack.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

PRICE_DIR = Path(__file__).resolve().parent / "prices"
#: The bundled service price table.
DEFAULT_PRICES = PRICE_DIR / "us-east-1.json"
#: The bundled EC2 on-demand dataset (one hourly price per instance type).
EC2_ON_DEMAND = PRICE_DIR / "ec2-on-demand-us-east-1.json"
#: The region the bundled files price.
BUNDLED_REGION = "us-east-1"


class PriceError(ValueError):
    """A price file is missing, malformed, or lacks a price an estimate needs."""


@dataclass(frozen=True)
class Price:
    """One list price: ``usd`` for every ``per`` units of ``unit``.

    ``tiers`` (optional) are volume tiers, each ``{"up_to": cumulative units or None,
    "usd": price per ``per`` units}``; a tiered price is charged tier by tier.
    ``region`` is the region the entry prices (the bundled table's unless a price
    file replaced it).
    """

    key: str
    usd: float
    per: float
    unit: str
    source: str
    read: Optional[str]
    basis: str = ""
    tiers: tuple = ()
    region: str = BUNDLED_REGION

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

    def cost_from(self, start: float, quantity: float) -> float:
        """What ``quantity`` more units cost after ``start`` units already billed (tiers are cumulative)."""
        return self.cost(start + quantity) - self.cost(start)


@dataclass(frozen=True)
class Rate:
    """A derived hourly rate and how it was obtained."""

    hourly: float
    estimated: bool
    basis: str


@dataclass(frozen=True)
class Instance:
    """An EC2 instance type's hourly prices (Linux) and, when known, its shape.

    ``vcpu`` and ``memory_gib`` are ``None`` for a type without a row in the price
    table whose size does not tell them (``shape_basis`` says which).
    """

    name: str
    on_demand_hourly: float
    on_demand_basis: str
    reserved: Rate
    spot: Rate
    vcpu: Optional[int]
    memory_gib: Optional[float]
    arch: str
    shape_basis: str
    burst_baseline: Optional[float]
    accelerator: Optional[str]
    region: str = BUNDLED_REGION

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def reserved_1y_no_upfront_hourly(self) -> float:
        return self.reserved.hourly


def family_of(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


_FAMILY = re.compile(r"^([a-z]+)(\d+)([a-z0-9-]*)$")


def arch_from_name(instance_type: str) -> str:
    """``arm64`` for Graviton families (a ``g`` among the letters after the generation: c7g, m6gd,
    x2gd, im4gn, g5g; and a1), else ``x86_64`` (g4dn, gr6, c7i-flex...)."""
    family = family_of(instance_type)
    if family == "a1":
        return "arm64"
    m = _FAMILY.match(family)
    if not m:
        return "x86_64"
    letters = m.group(3).split("-", 1)[0]
    return "arm64" if "g" in letters else "x86_64"


def vcpu_from_name(instance_type: str) -> Optional[int]:
    """vCPUs implied by the size (``large`` 2, ``xlarge`` 4, ``Nxlarge`` 4N, ``medium`` 1 outside the
    burstable t families); ``None`` where the size does not say (metal, nano..small, t*.medium)."""
    size = instance_type.split(".", 1)[1] if "." in instance_type else ""
    burstable = family_of(instance_type).startswith("t")
    if size == "large":
        return 2
    if size == "xlarge":
        return 4
    m = re.fullmatch(r"(\d+)xlarge", size)
    if m:
        return 4 * int(m.group(1))
    if size == "medium" and not burstable:
        return 1
    return None


class PriceTable:
    """Lookup over a loaded price document; errors name the missing key and the known ones."""

    def __init__(self, doc: Mapping[str, Any], origin: str, ec2_on_demand: Optional[Mapping[str, Any]] = None,
                 overridden: Optional[Mapping[str, Any]] = None) -> None:
        self.doc = doc
        self.origin = origin
        self.region: str = doc["region"]
        self.currency: str = doc.get("currency", "USD")
        self.hours_per_month: float = float(doc.get("hours_per_month", 730))
        self.ec2_dataset: Mapping[str, Any] = ec2_on_demand if ec2_on_demand is not None else _load_ec2_dataset()
        #: keys (``prices.<key>``, ``ec2.<type>``) a price file replaced, so their region is the file's
        self.overridden = dict(overridden or {})
        self._ratios = self._reserved_ratios()

    # ---------------------------------------------------------------- service prices

    def price(self, key: str) -> Price:
        entry = self.doc["prices"].get(key)
        if entry is None:
            near = difflib.get_close_matches(key, self.doc["prices"], n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise PriceError(f"{self.origin}: no price {key!r}{hint}")
        region = self.region if f"prices.{key}" in self.overridden else BUNDLED_REGION
        return Price(key, float(entry["usd"]), float(entry.get("per", 1)), entry["unit"], entry["source"],
                     entry.get("read"), entry.get("basis", ""), tuple(entry.get("tiers") or ()), region)

    def cost(self, key: str, quantity: float) -> float:
        return self.price(key).cost(quantity)

    # ---------------------------------------------------------------- EC2

    def ec2_source(self) -> dict[str, Any]:
        """Where the on-demand rates come from: the dataset's header (source, date, unit, region)."""
        d = self.ec2_dataset
        return {"file": EC2_ON_DEMAND.name, "region": d.get("region"), "unit": d.get("unit"),
                "source": d.get("source"), "retrieved": d.get("retrieved"), "count": len(d.get("prices") or {})}

    def ec2_source_line(self) -> str:
        s = self.ec2_source()
        return f"EC2 on-demand: {s['count']:,} {s['region']} Linux rates from {s['source']} (retrieved {s['retrieved']})"

    def instance_types(self) -> list[str]:
        return sorted(set(self.ec2_dataset["prices"]) | set(self.doc["ec2"]["instances"]))

    def _reserved_ratios(self) -> dict[str, Any]:
        by_family: dict[str, list[float]] = {}
        for name, row in self.doc["ec2"]["instances"].items():
            od = self._on_demand(name, row)
            ri = row.get("reserved_1y_no_upfront_hourly")
            if od and ri is not None and f"ec2.{name}.reserved" not in self.overridden:
                by_family.setdefault(family_of(name), []).append(float(ri) / od)
        every = [r for rs in by_family.values() for r in rs]
        return {"families": {f: statistics.median(rs) for f, rs in by_family.items()},
                "default": statistics.median(every) if every else 0.63}

    def _on_demand(self, name: str, row: Optional[Mapping[str, Any]]) -> Optional[float]:
        if row and row.get("on_demand_hourly") is not None:
            return float(row["on_demand_hourly"])
        od = self.ec2_dataset["prices"].get(name)
        return None if od is None else float(od)

    def instance(self, instance_type: str) -> Instance:
        """``instance_type``'s prices; :class:`PriceError` naming close matches when it has none."""
        row = self.doc["ec2"]["instances"].get(instance_type)
        od = self._on_demand(instance_type, row) if isinstance(instance_type, str) else None
        if od is None:
            near = difflib.get_close_matches(str(instance_type), self.instance_types(), n=3)
            hint = f" (closest: {', '.join(near)})" if near else ""
            raise PriceError(
                f"no price for EC2 instance type {instance_type!r} in {self.origin} or the bundled EC2 dataset "
                f"({len(self.instance_types()):,} types){hint}; add it with --prices FILE "
                f"(ec2.instances.{instance_type}.on_demand_hourly)")
        row = row or {}
        if row.get("on_demand_hourly") is not None:
            od_basis = f"{self.origin} (ec2.instances.{instance_type})"
        else:
            od_basis = f"the bundled EC2 dataset ({self.ec2_source()['retrieved']})"
        region = self.region if f"ec2.{instance_type}" in self.overridden else BUNDLED_REGION
        family = family_of(instance_type)
        if row.get("reserved_1y_no_upfront_hourly") is not None:
            reserved = Rate(float(row["reserved_1y_no_upfront_hourly"]), False, "the price table's 1-year no-upfront rate")
        elif family in self._ratios["families"]:
            ratio = self._ratios["families"][family]
            reserved = Rate(od * ratio, True, f"estimated: on-demand x {ratio:.3f}, the {family} rows' reserved ratio")
        else:
            ratio = self._ratios["default"]
            reserved = Rate(od * ratio, True,
                            f"estimated: on-demand x {ratio:.3f}, the median reserved ratio of the table's rows "
                            f"(no {family} row)")
        discount, spot_estimated = self.spot_discount_of(instance_type)
        spot = Rate(od * (1 - discount), spot_estimated,
                    (f"estimated: the default Spot discount {discount:.0%} (no {family} entry)" if spot_estimated
                     else f"the {family} family's typical Spot discount {discount:.0%}"))
        if "vcpu" in row:
            vcpu, mem, shape = int(row["vcpu"]), float(row["memory_gib"]), "the price table"
        else:
            vcpu, mem, shape = vcpu_from_name(instance_type), None, "inferred from the name"
        return Instance(instance_type, od, od_basis, reserved, spot, vcpu, mem,
                        row.get("arch") or arch_from_name(instance_type), shape,
                        None if row.get("burst_baseline") is None else float(row["burst_baseline"]),
                        row.get("accelerator"), region)

    def spot_discount_of(self, instance_type: str) -> tuple[float, bool]:
        """(typical Spot discount of the type's family, whether it is the default estimate)."""
        spot = self.doc["ec2"]["spot_discount"]
        family = family_of(instance_type)
        if family in spot["families"]:
            return float(spot["families"][family]), False
        return float(spot["default"]), True

    def spot_discount(self, instance_type: str) -> float:
        return self.spot_discount_of(instance_type)[0]

    def sources(self) -> dict[str, dict[str, Any]]:
        """Every price key with its source and read date (for reports)."""
        out = {k: {"source": v["source"], "read": v.get("read")} for k, v in self.doc["prices"].items()}
        out["ec2.instances"] = {"source": self.ec2_source()["source"], "read": self.ec2_source()["retrieved"]}
        return out


# ---------------------------------------------------------------- loading and checking

_REQUIRED_ENTRY = ("usd", "unit", "source")


def _validate(doc: Any, origin: str, *, partial: bool) -> None:
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise PriceError(f"{origin}: a price file is a JSON object with 'region' and 'prices'")
    if not partial and "region" not in doc:
        problems.append("missing 'region'")
    if "region" in doc and not isinstance(doc["region"], str):
        problems.append("'region' must be a string such as \"eu-west-1\"")
    prices = doc.get("prices") or {}
    if not isinstance(prices, dict):
        problems.append("'prices' must be an object of price key -> entry")
        prices = {}
    for key, entry in prices.items():
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
        if not isinstance(per, (int, float)) or isinstance(per, bool) or per <= 0:
            problems.append(f"prices.{key}.per={per!r}: must be a number > 0")
    instances = (doc.get("ec2") or {}).get("instances") or {}
    for name, row in (instances.items() if isinstance(instances, dict) else ()):
        if not isinstance(row, dict):
            problems.append(f"ec2.instances.{name} must be an object")
            continue
        for field in ("on_demand_hourly", "reserved_1y_no_upfront_hourly"):
            v = row.get(field)
            if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0):
                problems.append(f"ec2.instances.{name}.{field}={v!r}: must be a number >= 0")
        if "vcpu" in row and not (isinstance(row["vcpu"], int) and row["vcpu"] > 0):
            problems.append(f"ec2.instances.{name}.vcpu={row['vcpu']!r}: must be a whole number > 0")
        if "vcpu" in row and "memory_gib" not in row:
            problems.append(f"ec2.instances.{name}: vcpu needs memory_gib too")
    if problems:
        raise PriceError(f"{origin} is not a valid price file:\n  - " + "\n  - ".join(problems))


def _validate_dataset(doc: Any, origin: str) -> None:
    if not isinstance(doc, dict) or not isinstance(doc.get("prices"), dict):
        raise PriceError(f"{origin}: an EC2 dataset is a JSON object with 'region', 'source', 'retrieved' and 'prices'")
    missing = [k for k in ("region", "source", "retrieved", "unit") if not doc.get(k)]
    bad = [k for k, v in doc["prices"].items()
           if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0]
    if missing or bad:
        raise PriceError(f"{origin}: missing header {missing}" if missing
                         else f"{origin}: prices must be numbers >= 0: {', '.join(bad[:5])}")


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise PriceError(f"price file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise PriceError(f"price file {path} is not valid JSON: {exc}") from None


_DATASET: Optional[dict[str, Any]] = None


def _load_ec2_dataset() -> dict[str, Any]:
    global _DATASET
    if _DATASET is None:
        doc = _read(EC2_ON_DEMAND)
        _validate_dataset(doc, str(EC2_ON_DEMAND))
        _DATASET = doc
    return _DATASET


def load_prices(path: Union[str, Path, None] = None) -> PriceTable:
    """The bundled us-east-1 table, overlaid with the file at ``path`` if given.

    ``path`` (default ``None``: the bundled table alone) names a JSON file in the
    bundled file's shape. Its ``region`` replaces the region; its ``prices`` entries
    replace or extend the bundled ones field by field (an entry may give only
    ``usd``, but a new key needs ``usd``, ``unit`` and ``source``); its
    ``ec2.instances`` rows replace or add instance types (a type the bundled EC2
    dataset lacks needs ``on_demand_hourly``). Unknown price keys are refused, with
    the closest known key, so a typo cannot silently keep a default.
    """
    base = _read(DEFAULT_PRICES)
    _validate(base, str(DEFAULT_PRICES), partial=False)
    dataset = _load_ec2_dataset()
    if path is None:
        return PriceTable(base, "the bundled us-east-1 price table", dataset)
    path = Path(path)
    override = _read(path)
    _validate(override, str(path), partial=True)
    merged = copy.deepcopy(base)
    overridden: dict[str, Any] = {}
    problems = []
    for key, entry in (override.get("prices") or {}).items():
        if key in merged["prices"]:
            merged["prices"][key].update(entry)
            if "usd" in entry and "tiers" not in entry:
                merged["prices"][key].pop("tiers", None)  # a flat override replaces tiers
            overridden[f"prices.{key}"] = True
        elif all(f in entry for f in _REQUIRED_ENTRY):
            merged["prices"][key] = dict(entry)
            overridden[f"prices.{key}"] = True
        else:
            near = difflib.get_close_matches(key, merged["prices"], n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            problems.append(f"prices.{key} is not a known price ({hint}a new price needs usd, unit and source)")
    for name, row in ((override.get("ec2") or {}).get("instances") or {}).items():
        current = merged["ec2"]["instances"].get(name)
        if name not in dataset["prices"] and row.get("on_demand_hourly") is None and current is None:
            near = difflib.get_close_matches(name, list(dataset["prices"]), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(f"ec2.instances.{name}: not in the bundled EC2 dataset{hint}, so it needs on_demand_hourly")
            continue
        merged["ec2"]["instances"][name] = {**(current or {}), **row}
        if "on_demand_hourly" in row:
            overridden[f"ec2.{name}"] = True
        if "reserved_1y_no_upfront_hourly" in row:
            overridden[f"ec2.{name}.reserved"] = True
    for field in ("source", "read", "basis"):
        if field in (override.get("ec2") or {}):
            merged["ec2"][field] = override["ec2"][field]
    if problems:
        raise PriceError(f"{path} is not a valid price file:\n  - " + "\n  - ".join(problems))
    for field in ("region", "currency", "hours_per_month", "about"):
        if field in override:
            merged[field] = override[field]
    return PriceTable(merged, str(path), dataset, overridden)
