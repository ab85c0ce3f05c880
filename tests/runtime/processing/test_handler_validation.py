"""Validation: what a reading must look like, and what happens to one that does not."""

from __future__ import annotations

import json
import time

import pytest

from .handler_fixtures import failed_ids, now_ms, reading, sqs_event, sqs_record
from iot_tiers_runtime.processing.handler import handler
from iot_tiers_runtime.processing.readings import REASONS, Reading, Reject, decimal_text, normalise_timestamp, validate

NOW = time.time()
MAY_1 = "2024-05-01T12:00:00.000Z"


@pytest.mark.parametrize("given, expected", [
    (1714564800, MAY_1),                              # epoch seconds
    (1714564800.123, "2024-05-01T12:00:00.123Z"),     # seconds with a fraction: kept to the ms
    (1714564800123, "2024-05-01T12:00:00.123Z"),      # epoch milliseconds
    (1714564800123.9, "2024-05-01T12:00:00.123Z"),    # sub-millisecond digits truncated
    ("2024-05-01T12:00:00Z", MAY_1),
    ("2024-05-01T14:00:00+02:00", MAY_1),             # offsets converted to UTC
    ("2024-05-01T12:00:00.123456Z", "2024-05-01T12:00:00.123Z"),
    (" 2024-05-01T12:00:00Z ", MAY_1),                # surrounding blanks ignored
])
def test_timestamps_in_every_accepted_form_normalise_to_iso_utc_milliseconds(given, expected):
    assert normalise_timestamp(given, now_s=NOW) == expected


def test_canonical_timestamps_sort_in_time_order():
    stamps = [normalise_timestamp(v, now_s=NOW) for v in (1714564800, 1714564800.5, 1714564801, 1714651200)]
    assert stamps == sorted(stamps)
    assert len({len(s) for s in stamps}) == 1


def test_reading_without_timestamp_takes_the_broker_timestamp():
    got = validate({"deviceId": "d1", "temperature": 20, "brokerTimestamp": 1714564800123}, now_s=NOW)
    assert got == Reading("d1", "2024-05-01T12:00:00.123Z", 20, None)


def test_device_timestamp_wins_over_broker_timestamp():
    got = validate({"deviceId": "d1", "temperature": 20, "timestamp": 1714564800,
                    "brokerTimestamp": 1714564899000}, now_s=NOW)
    assert isinstance(got, Reading) and got.timestamp == MAY_1


@pytest.mark.parametrize("device", ["a", "A-z_0.9:x", "x" * 128])
def test_device_ids_of_allowed_characters_up_to_128_are_accepted(device):
    assert isinstance(validate({"deviceId": device, "temperature": 1, "timestamp": 1714564800},
                               now_s=NOW), Reading)


@pytest.mark.parametrize("temperature", [-40, 125, 0, -0.0, 80.5])
def test_temperatures_at_and_inside_the_bounds_are_accepted(temperature):
    assert isinstance(validate({"deviceId": "d", "temperature": temperature, "timestamp": 1714564800},
                               now_s=NOW), Reading)


def test_tiny_numbers_are_stored_within_dynamodb_number_range():
    assert decimal_text(1e-300) == "0"
    assert decimal_text(21.5) == "21.5"
    assert decimal_text(100) == "100"
    assert decimal_text(1e-05) == "0.00001"


# One row per (reason, field): the body, the reason and field it must be rejected with.
INVALID = [
    ("{not json", "invalid-json", None),
    ("[1, 2]", "not-an-object", None),
    ("42", "not-an-object", None),
    ({"temperature": 20}, "missing", "deviceId"),
    ({"deviceId": 7, "temperature": 20}, "wrong-type", "deviceId"),
    ({"deviceId": "", "temperature": 20}, "bad-format", "deviceId"),
    ({"deviceId": "x" * 129, "temperature": 20}, "bad-format", "deviceId"),
    ({"deviceId": "dev/1", "temperature": 20}, "bad-format", "deviceId"),
    ({"deviceId": "dev\n", "temperature": 20}, "bad-format", "deviceId"),
    ({"deviceId": "d"}, "missing", "temperature"),
    ({"deviceId": "d", "temperature": "20"}, "wrong-type", "temperature"),
    ({"deviceId": "d", "temperature": True}, "wrong-type", "temperature"),
    ('{"deviceId": "d", "temperature": NaN}', "not-finite", "temperature"),
    ('{"deviceId": "d", "temperature": Infinity}', "not-finite", "temperature"),
    ({"deviceId": "d", "temperature": 125.01}, "out-of-range", "temperature"),
    ({"deviceId": "d", "temperature": -40.5}, "out-of-range", "temperature"),
    ({"deviceId": "d", "temperature": 20, "humidity": 100.1}, "out-of-range", "humidity"),
    ({"deviceId": "d", "temperature": 20, "humidity": -1}, "out-of-range", "humidity"),
    ({"deviceId": "d", "temperature": 20, "humidity": False}, "wrong-type", "humidity"),
    ('{"deviceId": "d", "temperature": 20, "humidity": -Infinity}', "not-finite", "humidity"),
    ({"deviceId": "d", "temperature": 20, "timestamp": "yesterday"}, "bad-format", "timestamp"),
    ({"deviceId": "d", "temperature": 20, "timestamp": "2024-05-01T12:00:00"}, "bad-format", "timestamp"),
    ({"deviceId": "d", "temperature": 20, "timestamp": 0}, "out-of-range", "timestamp"),
    ({"deviceId": "d", "temperature": 20, "timestamp": 4102444800}, "out-of-range", "timestamp"),
    ({"deviceId": "d", "temperature": 20, "timestamp": [1]}, "wrong-type", "timestamp"),
    ({"deviceId": "d", "temperature": 20, "timestamp": True}, "wrong-type", "timestamp"),
    ({"deviceId": "d", "temperature": 20}, "missing", "timestamp"),
    ({"deviceId": "d", "temperature": 20, "brokerTimestamp": "soon"}, "bad-format", "brokerTimestamp"),
]


def test_the_invalid_table_covers_every_reason():
    assert {reason for _, reason, _ in INVALID} == set(REASONS)


@pytest.mark.parametrize("body, reason, field", INVALID, ids=[f"{r}-{f}-{i}" for i, (_, r, f) in enumerate(INVALID)])
def test_invalid_reading_is_rejected_to_the_queue_with_its_reason_and_not_retried(backend, body, reason, field):
    record = sqs_record(body, raw=isinstance(body, str))
    good = sqs_record(reading("fine-1"))

    result = handler(sqs_event(record, good), None)

    assert failed_ids(result) == []                        # never retried
    [envelope] = backend.rejects()                         # never dropped: kept once
    assert (envelope["reason"], envelope["field"]) == (reason, field)
    assert envelope["_attributes"]["reason"] == reason
    assert envelope["_attributes"].get("field") == field
    assert envelope["source"]["messageId"] == record["messageId"]
    assert envelope["detail"]                              # says what was wrong and what is allowed
    if isinstance(body, dict):
        assert envelope["record"] == body and envelope["recordFormat"] == "json"
    elif reason == "invalid-json" or "NaN" in body or "Infinity" in body:
        # not expressible in strict JSON: kept as the text received
        assert envelope["record"] == body and envelope["recordFormat"] == "text"
    else:
        assert envelope["record"] == json.loads(body) and envelope["recordFormat"] == "json"
    assert envelope["receivedAt"].endswith("Z")
    assert [i["pk"]["S"] for i in backend.readings()] == ["DEVICE#fine-1"]


def test_reject_reasons_name_what_is_allowed():
    got = validate({"deviceId": "d", "temperature": 130, "timestamp": 1714564800}, now_s=NOW)
    assert got == Reject("out-of-range", "temperature",
                         "temperature must be a number of degrees Celsius from -40 to 125, got 130")


def test_a_reject_too_large_for_sqs_is_kept_truncated(backend):
    huge = {"deviceId": "d", "temperature": 999, "brokerTimestamp": now_ms(), "blob": "\u00e9" * 200_000}
    record = sqs_record(huge)
    assert failed_ids(handler(sqs_event(record), None)) == []
    [envelope] = backend.rejects()
    assert envelope["recordTruncated"] is True and envelope["recordFormat"] == "text"
    assert envelope["reason"] == "out-of-range" and envelope["recordChars"] > len(envelope["record"])
    assert json.loads(record["body"])["blob"].startswith("\u00e9")


def test_nan_in_a_rejected_record_is_kept_as_the_text_received(backend):
    body = '{"deviceId": "d", "temperature": NaN, "brokerTimestamp": %d}' % now_ms()
    handler(sqs_event(sqs_record(body, raw=True)), None)
    [envelope] = backend.rejects()
    assert envelope["record"] == body and envelope["recordFormat"] == "text"
