"""Traffic assumptions: the load a stack is priced for.

A stack's resources say what runs; only traffic says how much of it is used. These
assumptions live in stack config (``iot-tiers:trafficDevices`` ...; the rows in
``components/config/traffic.py`` are built from :data:`FIELDS`) and in the budget
policy's config (same keys), each with a default. This module is the one place
their names, defaults and allowed ranges are written down.

Pure Python: it ships inside the published policy pack.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping, Optional

#: Hours in a billing month, as the AWS Pricing Calculator counts them (365 * 24 / 12).
HOURS_PER_MONTH = 730.0
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60
DAYS_PER_MONTH = HOURS_PER_MONTH / 24  # 30.4167


@dataclass(frozen=True)
class Field:
    """One assumption: its argument name, kind, default, range and meaning."""

    arg: str
    kind: str  # "integer" | "number"
    default: float
    lo: float
    hi: float
    description: str

    @property
    def key(self) -> str:
        """The stack / policy config key, e.g. ``trafficDevices``."""
        return "traffic" + "".join(w.capitalize() for w in self.arg.split("_"))

    @property
    def allowed(self) -> str:
        what = "a whole number" if self.kind == "integer" else "a number"
        return f"{what} from {_fmt(self.lo)} to {_fmt(self.hi)}"

    def parse(self, raw: Any) -> float:
        """Parse a raw config value (a string from Pulumi, or a YAML/JSON number)."""
        shown = int(raw) if isinstance(raw, float) and raw.is_integer() else raw  # JSON numbers arrive as floats
        if isinstance(raw, bool):
            raise ValueError(f"{self.key}={shown!r}: expected {self.allowed}")
        if isinstance(raw, (int, float)):
            value = raw
        else:
            text = str(raw).strip()
            try:
                if self.kind == "integer":
                    if not re.fullmatch(r"[-+]?\d+", text):
                        raise ValueError
                    value = int(text)
                else:
                    value = float(text)
            except ValueError:
                raise ValueError(f"{self.key}={shown!r}: expected {self.allowed}") from None
        if self.kind == "integer" and (not float(value).is_integer()):
            raise ValueError(f"{self.key}={shown!r}: expected {self.allowed}")
        if not math.isfinite(value) or not self.lo <= value <= self.hi:
            raise ValueError(f"{self.key}={shown!r} is out of range: expected {self.allowed}")
        return int(value) if self.kind == "integer" else float(value)

    def check(self, value: Any) -> bool:
        try:
            self.parse(value)
        except ValueError:
            return False
        return True


def _fmt(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


#: Every assumption is a whole number (Pulumi.yaml config types have no decimals),
#: so rates are given per hour, per million or in percent.
FIELDS: tuple[Field, ...] = (
    Field("devices", "integer", 500, 0, 10_000_000,
          "Devices publishing telemetry (the seed's example fleet: 500)."),
    Field("messages_per_device_per_hour", "integer", 120, 0, 36_000,
          "Telemetry messages each device publishes an hour (120 = every 30 s, the seed's example)."),
    Field("payload_bytes", "integer", 512, 1, 131_072,
          "Size of one telemetry message in bytes (IoT Core meters 5 KB steps, DynamoDB writes 1 KB steps)."),
    Field("connected_percent", "integer", 100, 0, 100,
          "Share of the month, in percent, each device holds its MQTT connection to IoT Core."),
    Field("alerts_per_million", "integer", 1000, 0, 1_000_000,
          "Readings per million that cross the alert threshold and publish to SNS (1000 = 0.1%)."),
    Field("dashboard_connections", "integer", 10, 0, 1_000_000,
          "Dashboard WebSocket connections held open on the realtime tier."),
    Field("dashboard_messages_per_minute", "integer", 60, 0, 60_000,
          "Messages the realtime tier pushes to each dashboard connection a minute."),
    Field("lambda_overhead_ms", "integer", 50, 0, 900_000,
          "Wall time of one Lambda invocation besides its messages (start, SDK calls), in ms."),
    Field("lambda_ms_per_message", "integer", 2, 0, 900_000,
          "Wall time each message adds to a Lambda invocation (validation, its share of a batched write), in ms."),
    Field("log_bytes_per_invocation", "integer", 400, 0, 10_000_000,
          "CloudWatch Logs bytes per invocation (Lambda's START/END/REPORT lines are about 300 bytes)."),
    Field("custom_metrics", "integer", 5, 0, 100_000,
          "Custom CloudWatch metric series the stack publishes (Powertools metrics, per dimension set)."),
    Field("nat_gb_per_month", "integer", 5, 0, 10_000_000,
          "GB a month through the stack's NAT gateways, all of them together, besides the bridge's IoT Core "
          "traffic the model derives (image pulls, package installs, AWS APIs without endpoints)."),
)

BY_KEY = {f.key: f for f in FIELDS}
BY_ARG = {f.arg: f for f in FIELDS}


@dataclass(frozen=True)
class Traffic:
    """The assumptions an estimate is computed for; every field has a default."""

    devices: int = 500
    messages_per_device_per_hour: int = 120
    payload_bytes: int = 512
    connected_percent: int = 100
    alerts_per_million: int = 1000
    dashboard_connections: int = 10
    dashboard_messages_per_minute: int = 60
    lambda_overhead_ms: int = 50
    lambda_ms_per_message: int = 2
    log_bytes_per_invocation: int = 400
    custom_metrics: int = 5
    nat_gb_per_month: int = 5

    @property
    def messages_per_month(self) -> float:
        return self.devices * self.messages_per_device_per_hour * HOURS_PER_MONTH

    @property
    def messages_per_day(self) -> float:
        return self.devices * self.messages_per_device_per_hour * 24

    @property
    def messages_per_device_per_minute(self) -> float:
        return self.messages_per_device_per_hour / 60

    @property
    def connected_fraction(self) -> float:
        return self.connected_percent / 100

    @property
    def alert_rate(self) -> float:
        return self.alerts_per_million / 1e6

    @classmethod
    def from_config(cls, values: Optional[Mapping[str, Any]], namespaces: tuple[str, ...] = ("iot-tiers",)) -> "Traffic":
        """Assumptions from config values keyed ``trafficDevices`` or ``<ns>:trafficDevices``.

        Keys outside ``namespaces`` and keys that are not traffic keys are ignored
        (they belong to other tables). Raises :class:`ValueError` listing every bad
        value with its key and what is allowed.
        """
        given: dict[str, Any] = {}
        problems = []
        for full, raw in (values or {}).items():
            ns, _, key = str(full).rpartition(":")
            if ns and ns not in namespaces:
                continue
            f = BY_KEY.get(key)
            if f is None:
                continue
            try:
                given[f.arg] = f.parse(raw)
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("invalid traffic assumptions:\n  - " + "\n  - ".join(problems))
        return replace(cls(), **given)

    def as_config(self) -> dict[str, Any]:
        """The assumptions as config keys (``trafficDevices``: 500, ...)."""
        return {BY_ARG[f.name].key: getattr(self, f.name) for f in fields(self)}


assert {f.name for f in fields(Traffic)} == set(BY_ARG), "Traffic and FIELDS must list the same assumptions"
assert all(getattr(Traffic(), f.arg) == f.default for f in FIELDS), "Traffic defaults must match FIELDS"
