"""The end-of-run account: every reading written, rejected with a reason, or in flight."""

from __future__ import annotations

import base64
import json
import random

from iot_tiers.local.simulator import Ledger, ReadingFactory
from iot_tiers.local.summary import Where, format_account, parse_sort_key_ms, reconcile
from iot_tiers_runtime.processing.readings import format_millis


def _ledger(*kinds: str) -> Ledger:
    factory = ReadingFactory(threshold=80, rng=random.Random(1))
    ledger = Ledger()
    for i, kind in enumerate(kinds):
        ledger.add(factory.next("sim-001", now_ms=1_700_000_000_000 + i * 1000, kind=kind))
    return ledger


def _item(reading) -> dict:
    return {"pk": {"S": f"DEVICE#{reading.device}"}, "sk": {"S": f"TS#{format_millis(reading.timestamp_ms)}"},
            "temperature": {"N": str(reading.temperature)}}


def _handler_reject(reading, reason="out-of-range", field="temperature") -> str:
    record = {**json.loads(reading.payload), "deviceId": reading.device, "brokerTimestamp": 1}
    return json.dumps({"reason": reason, "field": field, "detail": "...", "record": record})


def _rule_reject(reading) -> str:
    return json.dumps({"ruleName": "r", "topic": "devices/sim-001/telemetry",
                       "base64OriginalPayload": base64.b64encode(reading.payload).decode(),
                       "failures": [{"errorMessage": "the payload is not JSON, so ..."}]})


def test_written_rejected_and_in_flight_add_up_to_what_was_published():
    ledger = _ledger("normal", "hot", "out-of-range", "not-json", "normal")
    normal, hot, bad, text, _late = ledger.readings
    account = reconcile(ledger, [_item(normal), _item(hot)], [_handler_reject(bad), _rule_reject(text)],
                        Where(published_seen_by_rule=5, queue_visible=1), threshold=80)
    assert (account.published, account.written, account.rejected, account.in_flight_total) == (5, 2, 2, 1)
    assert account.rejected_by_reason == {"out-of-range (temperature)": 1, "rule: not JSON": 1}
    assert account.in_flight["queued"] == 1 and account.lost == 0
    assert account.balanced and account.alerts_expected == 1 and account.mismatched == []
    text = format_account(account, alerts_published=1, alerts_relayed=1, handler={}, threshold=80)
    assert "2 written + 2 rejected + 1 in flight = 5 of 5 published: adds up" in text
    assert "queued 1" in text


def test_a_reading_nothing_explains_is_reported_unaccounted():
    ledger = _ledger("normal", "normal")
    account = reconcile(ledger, [_item(ledger.readings[0])], [], Where(published_seen_by_rule=2), threshold=80)
    assert account.lost == 1 and account.in_flight_total == 1 and account.balanced
    assert "UNACCOUNTED (lost) 1" in format_account(account, 0, 0, {}, 80)


def test_readings_the_rule_has_not_seen_are_in_flight_not_lost():
    ledger = _ledger("normal", "normal", "normal")
    account = reconcile(ledger, [_item(ledger.readings[0])], [], Where(published_seen_by_rule=1), threshold=80)
    assert account.in_flight["notYetAtRule"] == 2 and account.lost == 0


def test_items_and_rejects_from_other_publishers_are_counted_apart():
    ledger = _ledger("normal")
    foreign_item = {"pk": {"S": "DEVICE#someone-else"}, "sk": {"S": "TS#2024-01-01T00:00:00.000Z"}}
    account = reconcile(ledger, [_item(ledger.readings[0]), foreign_item],
                        [json.dumps({"reason": "missing", "record": {"deviceId": "x"}})],
                        Where(published_seen_by_rule=3), threshold=80)
    assert account.written == 1 and account.foreign_written == 1 and account.foreign_rejected == 1
    assert account.balanced and account.lost == 0


def test_a_good_reading_that_was_rejected_is_flagged_as_unexpected():
    ledger = _ledger("normal")
    account = reconcile(ledger, [], [_handler_reject(ledger.readings[0], "bad-format", "timestamp")],
                        Where(published_seen_by_rule=1), threshold=80)
    assert account.rejected == 1 and account.mismatched == ["sim-001#1 (normal) ended bad-format (timestamp)"]


def test_sort_keys_parse_back_to_the_millisecond():
    assert parse_sort_key_ms("TS#" + format_millis(1_700_000_000_123)) == 1_700_000_000_123
    assert parse_sort_key_ms("ALERT#2024-01-01T00:00:00.000Z") is None
    assert parse_sort_key_ms("TS#yesterday") is None
