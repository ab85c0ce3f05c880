"""Simulated devices: each kind of reading meets the fate the handler's rules give it."""

from __future__ import annotations

import json
import random

import pytest

from iot_tiers.local.rule import route
from iot_tiers.local.simulator import KINDS, ReadingFactory, device_topic
from iot_tiers_runtime.processing.readings import Reject, validate

NOW_MS = 1_700_000_000_000


def _as_the_handler_sees_it(reading):
    routed = route(f"devices/{reading.device}/telemetry", reading.payload, device_level=2, now_ms=NOW_MS,
                   rule_name="r")
    if routed.target == "rejects":
        return "rule"
    return validate(json.loads(routed.body), now_s=NOW_MS / 1000)


@pytest.mark.parametrize("seed", range(20))
def test_every_kind_ends_where_the_summary_expects(seed):
    factory = ReadingFactory(threshold=80, rng=random.Random(seed))
    for kind in KINDS:
        reading = factory.next("sim-001", now_ms=NOW_MS, kind=kind)
        result = _as_the_handler_sees_it(reading)
        if kind in ("normal", "hot"):
            assert not isinstance(result, Reject) and result != "rule", (kind, reading.payload)
            assert (result.temperature > 80) == (kind == "hot")
        elif kind == "not-json":
            assert result == "rule"
        else:
            assert isinstance(result, Reject), (kind, reading.payload)
            assert result.reason in (("out-of-range",) if kind == "out-of-range" else ("missing", "wrong-type"))


def test_timestamps_strictly_increase_per_device_even_within_one_millisecond():
    factory = ReadingFactory(rng=random.Random(0))
    stamps = [factory.next("d", now_ms=NOW_MS).timestamp_ms for _ in range(5)]
    assert stamps == [NOW_MS + i for i in range(5)]
    assert factory.next("other", now_ms=NOW_MS).timestamp_ms == NOW_MS


def test_the_bad_share_is_honoured_and_zero_means_none():
    factory = ReadingFactory(bad_share=0.1, rng=random.Random(5))
    kinds = [factory.kind() for _ in range(5000)]
    bad = sum(k in ("out-of-range", "malformed", "not-json") for k in kinds) / len(kinds)
    assert 0.085 < bad < 0.115
    clean = ReadingFactory(bad_share=0.0, hot_share=0.0, rng=random.Random(5))
    assert {clean.kind() for _ in range(1000)} == {"normal"}


def test_devices_publish_on_the_stacks_topic_filter():
    assert device_topic("devices/+/telemetry", 2, "sim-001") == "devices/sim-001/telemetry"
    assert device_topic("sites/+/temp", 2, "a") == "sites/a/temp"
