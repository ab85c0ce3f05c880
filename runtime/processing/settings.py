"""The telemetry handler's settings, read from its environment once per container.

Three variables name the resources the handler writes to and have no default
(the ProcessingTier sets them); everything else has a default chosen for a
Lambda function with a 30 s timeout fed 100-record SQS batches.

Settings are read at the first invocation, not at import, so that a missing
variable fails the invocation with a message naming it (visible in the
function's logs and in the caller's error) instead of an opaque init error.
This module only uses the standard library: it is on the cold-start path.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Callable, Mapping, TypeVar

_T = TypeVar("_T")

#: Variables without a default: the resources the handler writes to.
REQUIRED = ("TABLE_NAME", "ALERT_TOPIC_ARN", "REJECTS_QUEUE_URL")


class ConfigurationError(RuntimeError):
    """The function's environment is missing a variable or has a bad value."""


@dataclass(frozen=True)
class Settings:
    """Everything the handler reads from its environment.

    Attributes:
        table_name: ``TABLE_NAME``, required. The DynamoDB table (keys ``pk``/``sk``).
        alert_topic_arn: ``ALERT_TOPIC_ARN``, required. SNS topic for high-temperature alerts.
        rejects_queue_url: ``REJECTS_QUEUE_URL``, required. SQS queue that keeps invalid readings.
        alert_threshold_celsius: ``ALERT_THRESHOLD_CELSIUS``, default 80. A reading *above*
            it publishes one alert.
        ttl_days: ``TTL_DAYS``, default 90. Items expire this many days after they are written.
        write_max_attempts: ``WRITE_MAX_ATTEMPTS``, default 6. BatchWriteItem attempts per
            chunk of 25 (the first try included) before its remaining items are reported failed.
        write_backoff_base_s: ``WRITE_BACKOFF_BASE_MS``, default 50 ms. First retry waits up to
            this; each later one up to twice the previous bound ("full jitter").
        write_backoff_cap_s: ``WRITE_BACKOFF_CAP_MS``, default 2000 ms. Longest single wait.
        write_retry_budget_s: ``WRITE_RETRY_BUDGET_MS``, default 10000 ms. Longest total time
            spent retrying one invocation's writes; also never past the invocation's own
            deadline minus a 3 s margin, so failures are reported rather than timed out.
        alert_lease_s: ``ALERT_LEASE_SECONDS``, default 900 (Lambda's longest timeout). How long
            an alert claim blocks other deliveries when the invocation's remaining time is
            unknown (no Lambda context); with a context the lease is the remaining time.
        max_future_skew_s: ``MAX_FUTURE_SKEW_SECONDS``, default 86400. Readings timestamped
            further than this in the future are rejected (a device clock gone wrong).
    """

    table_name: str
    alert_topic_arn: str
    rejects_queue_url: str
    alert_threshold_celsius: float = 80.0
    ttl_days: int = 90
    write_max_attempts: int = 6
    write_backoff_base_s: float = 0.05
    write_backoff_cap_s: float = 2.0
    write_retry_budget_s: float = 10.0
    alert_lease_s: int = 900
    max_future_skew_s: int = 86400


def _parse(env: Mapping[str, str], name: str, convert: Callable[[str], _T],
           ok: Callable[[_T], bool], allowed: str, default: _T) -> _T:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = convert(raw.strip())
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise ConfigurationError(f"{name}={raw!r} is not valid: expected {allowed}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read :class:`Settings` from ``env`` (default: ``os.environ``).

    Raises :class:`ConfigurationError` naming every missing required variable, or
    the first variable whose value is malformed together with what it accepts.
    """
    env = os.environ if env is None else env
    missing = [name for name in REQUIRED if not env.get(name, "").strip()]
    if missing:
        raise ConfigurationError(
            "the telemetry handler needs environment variable(s) "
            + ", ".join(missing)
            + " (TABLE_NAME: DynamoDB table name; ALERT_TOPIC_ARN: SNS topic ARN; "
            "REJECTS_QUEUE_URL: SQS queue URL for invalid readings)")

    def ms(v: str) -> float:
        return int(v) / 1000.0

    return Settings(
        table_name=env["TABLE_NAME"].strip(),
        alert_topic_arn=env["ALERT_TOPIC_ARN"].strip(),
        rejects_queue_url=env["REJECTS_QUEUE_URL"].strip(),
        alert_threshold_celsius=_parse(
            env, "ALERT_THRESHOLD_CELSIUS", float, lambda v: math.isfinite(v) and -40 <= v <= 125,
            "a number of degrees Celsius from -40 to 125", 80.0),
        ttl_days=_parse(env, "TTL_DAYS", int, lambda v: 1 <= v <= 36500,
                        "a whole number of days from 1 to 36500", 90),
        write_max_attempts=_parse(env, "WRITE_MAX_ATTEMPTS", int, lambda v: 1 <= v <= 20,
                                  "a whole number from 1 to 20", 6),
        write_backoff_base_s=_parse(env, "WRITE_BACKOFF_BASE_MS", ms, lambda v: 0 <= v <= 10,
                                    "a whole number of milliseconds from 0 to 10000", 0.05),
        write_backoff_cap_s=_parse(env, "WRITE_BACKOFF_CAP_MS", ms, lambda v: 0 <= v <= 60,
                                   "a whole number of milliseconds from 0 to 60000", 2.0),
        write_retry_budget_s=_parse(env, "WRITE_RETRY_BUDGET_MS", ms, lambda v: 0 <= v <= 900,
                                    "a whole number of milliseconds from 0 to 900000", 10.0),
        alert_lease_s=_parse(env, "ALERT_LEASE_SECONDS", int, lambda v: 1 <= v <= 3600,
                             "a whole number of seconds from 1 to 3600", 900),
        max_future_skew_s=_parse(env, "MAX_FUTURE_SKEW_SECONDS", int, lambda v: 0 <= v <= 31_536_000,
                                 "a whole number of seconds from 0 to 31536000", 86400),
    )
