"""Validation of telemetry readings: pure functions, no I/O, standard library only.

A reading arrives as the JSON object the IoT rule builds: the device's payload plus
``deviceId`` (the topic's device segment) and ``brokerTimestamp`` (milliseconds,
IoT Core's ``timestamp()``). :func:`validate` turns it into a :class:`Reading` or a
:class:`Reject` that says which field was wrong, why, and what is allowed.

Timestamps are normalised to one canonical form, ISO-8601 in UTC with exactly three
fractional digits and a ``Z`` (``2024-05-01T12:00:00.123Z``): fixed width, so the
sort key ``TS#<timestamp>`` sorts chronologically. Accepted inputs:

* a number of epoch **seconds** (fractions kept to the millisecond), or of epoch
  **milliseconds**: a number of 100 000 000 000 or more is milliseconds (as seconds it
  would be past the year 5000; as milliseconds anything smaller is before 1974, and
  so outside the accepted window anyway, so the rule never has to guess);
* an ISO-8601 string with a UTC offset (``Z`` or ``+hh:mm``); a string without an
  offset is rejected rather than guessed to be UTC.

Sub-millisecond digits are truncated. The accepted window is 2000-01-01T00:00:00Z
to ``max_future_skew_s`` after the time of processing. A reading without
``timestamp`` (or with ``null``) takes the IoT rule's ``brokerTimestamp``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Mapping, Optional, Union

DEVICE_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
TEMPERATURE_RANGE = (-40, 125)   # degrees Celsius, both ends accepted
HUMIDITY_RANGE = (0, 100)        # percent relative humidity, both ends accepted
MIN_TIMESTAMP_MS = 946_684_800_000          # 2000-01-01T00:00:00Z
MILLISECONDS_FROM = 100_000_000_000         # numbers at least this large are epoch ms
MAX_ISO_LENGTH = 64

#: Every reason a reading can be rejected for (the ``reason`` of a :class:`Reject`).
REASONS = {
    "invalid-json": "the message body is not JSON",
    "not-an-object": "the message body is JSON but not an object",
    "missing": "a required field is absent (or null)",
    "wrong-type": "a field has the wrong JSON type",
    "not-finite": "a number is NaN or infinite",
    "out-of-range": "a number or time lies outside the accepted range",
    "bad-format": "a string does not have the required form",
}

Number = Union[int, float]


@dataclass(frozen=True)
class Reading:
    """One valid reading, normalised.

    Attributes:
        device_id: the device id (``[A-Za-z0-9_.:-]{1,128}``).
        timestamp: canonical ISO-8601 UTC with milliseconds, e.g. ``2024-05-01T12:00:00.000Z``.
        temperature: degrees Celsius, as the device sent it (int or float).
        humidity: percent, or ``None`` when the device sent none.
    """

    device_id: str
    timestamp: str
    temperature: Number
    humidity: Optional[Number] = None

    @property
    def pk(self) -> str:
        return f"DEVICE#{self.device_id}"

    @property
    def sk(self) -> str:
        return f"TS#{self.timestamp}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.pk, self.sk)


@dataclass(frozen=True)
class Reject:
    """Why a reading was refused.

    Attributes:
        reason: one of :data:`REASONS`.
        field: the offending field, or ``None`` when the body as a whole is wrong.
        detail: a sentence naming what was wrong and what is allowed.
    """

    reason: str
    field: Optional[str]
    detail: str


def parse_body(body: Any) -> Union[Any, Reject]:
    """Decode an SQS record body; a :class:`Reject` (``invalid-json``) when it is not JSON.

    Any JSON value is returned: :func:`validate` refuses what is not an object.
    """
    if not isinstance(body, (str, bytes, bytearray)):
        return Reject("invalid-json", None,
                      f"the message body must be a JSON text, got {type(body).__name__}")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        return Reject("invalid-json", None, f"the message body is not valid JSON ({exc})")


def validate(payload: Any, *, now_s: float, max_future_skew_s: int = 86400) -> Union[Reading, Reject]:
    """Check one reading and normalise it.

    Args:
        payload: the decoded JSON object (anything else is rejected as ``not-an-object``).
        now_s: the current epoch time in seconds; bounds timestamps from the future.
        max_future_skew_s: how far in the future a timestamp may be, in seconds (default 86400).
    """
    if not isinstance(payload, Mapping):
        return Reject("not-an-object", None,
                      f"a reading must be a JSON object, got {_json_type(payload)}")

    device_id = payload.get("deviceId")
    if device_id is None:
        return Reject("missing", "deviceId", "deviceId is required: a string of 1 to 128 "
                      "characters from A-Z a-z 0-9 _ . : -")
    if not isinstance(device_id, str):
        return Reject("wrong-type", "deviceId",
                      f"deviceId must be a string, got {_json_type(device_id)}")
    if not DEVICE_ID_PATTERN.fullmatch(device_id):
        return Reject("bad-format", "deviceId",
                      f"deviceId must be 1 to 128 characters from A-Z a-z 0-9 _ . : -, "
                      f"got {_preview(device_id)} ({len(device_id)} characters)")

    temperature = payload.get("temperature")
    if temperature is None:
        return Reject("missing", "temperature",
                      "temperature is required: a number of degrees Celsius from -40 to 125")
    problem = _check_number("temperature", temperature, TEMPERATURE_RANGE, "degrees Celsius")
    if problem:
        return problem

    humidity = payload.get("humidity")
    if humidity is not None:
        problem = _check_number("humidity", humidity, HUMIDITY_RANGE, "percent")
        if problem:
            return problem

    field = "timestamp"
    raw_ts = payload.get("timestamp")
    if raw_ts is None:
        field, raw_ts = "brokerTimestamp", payload.get("brokerTimestamp")
        if raw_ts is None:
            return Reject("missing", "timestamp",
                          "timestamp is required when the message has no brokerTimestamp: "
                          "epoch seconds, epoch milliseconds or ISO-8601 with a UTC offset")
    ts = normalise_timestamp(raw_ts, field=field, now_s=now_s, max_future_skew_s=max_future_skew_s)
    if isinstance(ts, Reject):
        return ts
    return Reading(device_id=device_id, timestamp=ts, temperature=temperature, humidity=humidity)


def normalise_timestamp(value: Any, *, field: str = "timestamp", now_s: float,
                        max_future_skew_s: int = 86400) -> Union[str, Reject]:
    """Return ``value`` (epoch s, epoch ms or ISO-8601) as ``YYYY-MM-DDTHH:MM:SS.mmmZ``.

    Args:
        value: the timestamp as the device (or the IoT rule) sent it.
        field: the field name used in the reject's message (default ``timestamp``).
        now_s: current epoch seconds, for the upper bound.
        max_future_skew_s: seconds a timestamp may lie in the future (default 86400).
    """
    allowed = ("epoch seconds, epoch milliseconds or an ISO-8601 string with a UTC offset "
               "(e.g. 2024-05-01T12:00:00Z)")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return Reject("wrong-type", field, f"{field} must be {allowed}, got {_json_type(value)}")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_ISO_LENGTH:
            return Reject("bad-format", field,
                          f"{field} must be {allowed}, got a {len(text)}-character string")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return Reject("bad-format", field, f"{field} must be {allowed}, got {_preview(value)}")
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return Reject("bad-format", field,
                          f"{field} {_preview(value)} has no UTC offset: add Z or +hh:mm")
        try:
            delta = parsed - _EPOCH
        except OverflowError:
            return _too_early_or_late(field, value, now_s, max_future_skew_s)
        millis = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    else:
        if isinstance(value, float) and not math.isfinite(value):
            return Reject("not-finite", field, f"{field} must be a finite number, got {value}")
        exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        if exact < MILLISECONDS_FROM:
            exact = exact * 1000
        millis = int(exact.to_integral_value(rounding=ROUND_FLOOR))
    latest_ms = int((now_s + max_future_skew_s) * 1000)
    if not MIN_TIMESTAMP_MS <= millis <= latest_ms:
        return _too_early_or_late(field, value, now_s, max_future_skew_s)
    return format_millis(millis)


def format_millis(millis: int) -> str:
    """Epoch milliseconds as the canonical ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    seconds, ms = divmod(millis, 1000)
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms:03d}Z"


def decimal_text(value: Number) -> str:
    """A reading's number as DynamoDB's ``N`` string: plain notation, at most 10 decimals.

    Validated values lie in [-40, 125]; keeping 10 decimals (far below any sensor's
    resolution) keeps values like 1e-300 within DynamoDB's number range.
    """
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if exact.as_tuple().exponent < -10:  # type: ignore[operator]
        exact = exact.quantize(Decimal("1e-10"))
    return "0" if exact == 0 else format(exact.normalize(), "f")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _check_number(field: str, value: Any, bounds: tuple[int, int], unit: str) -> Optional[Reject]:
    low, high = bounds
    allowed = f"a number of {unit} from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return Reject("wrong-type", field, f"{field} must be {allowed}, got {_json_type(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        return Reject("not-finite", field, f"{field} must be {allowed}, got {value}")
    if not low <= value <= high:
        return Reject("out-of-range", field, f"{field} must be {allowed}, got {_preview(value)}")
    return None


def _too_early_or_late(field: str, value: Any, now_s: float, skew: int) -> Reject:
    latest = format_millis(int((now_s + skew) * 1000))
    return Reject("out-of-range", field,
                  f"{field} {_preview(value)} is outside the accepted window "
                  f"2000-01-01T00:00:00.000Z to {latest} (now plus {skew} s)")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _preview(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # huge ints refuse repr beyond 4300 digits
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
