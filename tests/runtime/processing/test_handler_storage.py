"""Storage: items, TTL, batching in 25s, duplicates, and transient DynamoDB failures."""

from __future__ import annotations

import time

from .handler_fixtures import count_calls, failed_ids, now_ms, reading, sqs_event, sqs_record
from iot_tiers_runtime.processing import aws as handler_aws
from iot_tiers_runtime.processing.handler import handler


def test_valid_readings_become_items_keyed_by_device_and_timestamp_with_ttl(backend):
    event = sqs_event(reading("dev-a", 21.5, humidity=40, timestamp=1714564800),
                      reading("dev-b", -3, timestamp="2024-05-01T12:00:01.5Z"))
    before = int(time.time())

    assert handler(event, None) == {"batchItemFailures": []}

    items = {(i["pk"]["S"], i["sk"]["S"]): i for i in backend.readings()}
    assert set(items) == {("DEVICE#dev-a", "TS#2024-05-01T12:00:00.000Z"),
                          ("DEVICE#dev-b", "TS#2024-05-01T12:00:01.500Z")}
    a = items[("DEVICE#dev-a", "TS#2024-05-01T12:00:00.000Z")]
    assert a["temperature"] == {"N": "21.5"} and a["humidity"] == {"N": "40"}
    assert "humidity" not in items[("DEVICE#dev-b", "TS#2024-05-01T12:00:01.500Z")]
    ttl = int(a["ttl"]["N"])
    assert before + 90 * 86400 <= ttl <= int(time.time()) + 90 * 86400


def test_ttl_days_setting_changes_the_expiry(backend, monkeypatch):
    monkeypatch.setenv("TTL_DAYS", "7")
    handler(sqs_event(reading("dev-a")), None)
    [item] = backend.readings()
    assert abs(int(item["ttl"]["N"]) - (time.time() + 7 * 86400)) < 60


def test_hundred_valid_readings_take_four_batch_writes_of_at_most_25(backend, dynamo_faults):
    base = now_ms()
    event = sqs_event(*[reading(f"dev-{i % 7}", 20, brokerTimestamp=base + i) for i in range(100)])

    assert failed_ids(handler(event, None)) == []

    assert dynamo_faults.items_per_call == [25, 25, 25, 25]
    assert len(backend.readings()) == 100


def test_no_put_item_per_reading(backend):
    puts = count_calls(handler_aws.client("dynamodb"), "PutItem")
    base = now_ms()
    handler(sqs_event(*[reading("d", 20, brokerTimestamp=base + i) for i in range(30)]), None)
    assert puts() == 0


def test_duplicates_in_one_batch_collapse_to_one_item(backend, dynamo_faults):
    same = reading("dev-dup", 22.0, timestamp=1714564800)
    first, second = sqs_record(same), sqs_record(dict(same, temperature=23.0))

    assert failed_ids(handler(sqs_event(first, second, reading("other", 1)), None)) == []

    assert dynamo_faults.items_per_call == [2]   # moto, like DynamoDB, refuses duplicate keys
    [item] = backend.readings("DEVICE#dev-dup")
    assert item["temperature"] == {"N": "23"}    # the later record wins, as sequential puts would


def test_unprocessed_items_are_retried_until_written(backend, dynamo_faults):
    dynamo_faults.throttle_calls = 2   # two throttled attempts, then DynamoDB accepts
    event = sqs_event(*[reading(f"dev-{i}", 20) for i in range(5)])

    assert failed_ids(handler(event, None)) == []
    assert dynamo_faults.calls == 3
    assert len(backend.readings()) == 5


def test_persistent_unprocessed_items_report_only_their_records(backend, dynamo_faults, capsys):
    dynamo_faults.unprocessed_pks = {"DEVICE#hot-partition"}
    hot = [sqs_record(reading("hot-partition", 20, brokerTimestamp=now_ms() + i)) for i in range(2)]
    cool = [sqs_record(reading(f"cool-{i}", 20)) for i in range(30)]
    event = sqs_event(*(cool[:10] + hot[:1] + cool[10:] + hot[1:]))

    result = handler(event, None)

    assert failed_ids(result) == [hot[0]["messageId"], hot[1]["messageId"]]
    assert len(backend.readings()) == 30
    assert backend.readings("DEVICE#hot-partition") == []
    # two chunks, each tried WRITE_MAX_ATTEMPTS=4 times: 3 retries each, then reported
    assert '"WriteRetries":[6.0]' in capsys.readouterr().out
    assert dynamo_faults.calls == 8


def test_throttled_table_reports_the_chunk_and_not_the_rest(backend, dynamo_faults):
    dynamo_faults.throttle_calls = 4   # every attempt of the first chunk of 25 (WRITE_MAX_ATTEMPTS=4)
    records = [sqs_record(reading(f"dev-{i}", 20)) for i in range(30)]

    result = handler(sqs_event(*records), None)

    assert failed_ids(result) == [r["messageId"] for r in records[:25]]
    assert len(backend.readings()) == 5


def test_failed_write_reports_every_record_that_carried_the_reading(backend, dynamo_faults):
    dynamo_faults.unprocessed_pks = {"DEVICE#twice"}
    body = reading("twice", 20, timestamp=1714564800)
    a, b = sqs_record(body), sqs_record(body)

    result = handler(sqs_event(a, b), None)

    assert failed_ids(result) == [a["messageId"], b["messageId"]]


def test_retry_of_reported_records_writes_them_once(backend, dynamo_faults):
    dynamo_faults.unprocessed_pks = {"DEVICE#later"}
    record = sqs_record(reading("later", 20, timestamp=1714564800))
    assert failed_ids(handler(sqs_event(record), None)) == [record["messageId"]]

    dynamo_faults.unprocessed_pks = set()           # the partition cooled down; SQS redelivers
    assert failed_ids(handler(sqs_event(record), None)) == []
    assert len(backend.readings("DEVICE#later")) == 1


def test_retry_budget_bounds_the_time_spent_on_a_throttled_table(backend, dynamo_faults, monkeypatch):
    monkeypatch.setenv("WRITE_MAX_ATTEMPTS", "20")
    monkeypatch.setenv("WRITE_BACKOFF_BASE_MS", "50")
    monkeypatch.setenv("WRITE_BACKOFF_CAP_MS", "200")
    monkeypatch.setenv("WRITE_RETRY_BUDGET_MS", "300")
    dynamo_faults.throttle_calls = 1000
    record = sqs_record(reading("slow", 20))

    started = time.monotonic()
    assert failed_ids(handler(sqs_event(record), None)) == [record["messageId"]]
    assert time.monotonic() - started < 2.0
    assert dynamo_faults.calls < 20
