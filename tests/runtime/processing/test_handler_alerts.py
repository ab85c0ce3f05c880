"""Alerts: one SNS alert per hot reading, never a second one for a redelivery."""

from __future__ import annotations

import time

from .handler_fixtures import LambdaContext, count_calls, error_response, failed_ids, reading, sqs_event, sqs_record
from iot_tiers_runtime.processing import aws as handler_aws
from iot_tiers_runtime.processing.handler import handler


def _marker(backend, device, timestamp):
    items = [i for i in backend.items(f"DEVICE#{device}") if i["sk"]["S"] == f"ALERT#{timestamp}"]
    return items[0] if items else None


def test_reading_above_threshold_publishes_one_alert_with_the_reading(backend):
    event = sqs_event(reading("oven-1", 85.5, humidity=10, timestamp=1714564800), reading("fridge", 4))

    assert failed_ids(handler(event, None)) == []

    assert backend.alerts() == [{"deviceId": "oven-1", "temperature": 85.5, "humidity": 10,
                                 "timestamp": "2024-05-01T12:00:00.000Z", "thresholdCelsius": 80.0}]
    marker = _marker(backend, "oven-1", "2024-05-01T12:00:00.000Z")
    assert marker["alertState"]["S"] == "sent" and marker["snsMessageId"]["S"]


def test_reading_at_the_threshold_does_not_alert(backend):
    handler(sqs_event(reading("oven", 80)), None)
    assert backend.alerts() == []


def test_threshold_comes_from_the_environment(backend, monkeypatch):
    monkeypatch.setenv("ALERT_THRESHOLD_CELSIUS", "30")
    handler(sqs_event(reading("warm", 31), reading("cool", 29)), None)
    assert [a["deviceId"] for a in backend.alerts()] == ["warm"]


def test_each_hot_reading_of_a_batch_alerts_once(backend):
    hot = [reading(f"oven-{i}", 90 + i % 10) for i in range(23)]   # more than one PublishBatch
    assert failed_ids(handler(sqs_event(*hot, reading("ok", 20)), None)) == []
    assert sorted(a["deviceId"] for a in backend.alerts()) == sorted(f"oven-{i}" for i in range(23))


def test_redelivered_record_creates_no_second_item_and_no_second_alert(backend):
    record = sqs_record(reading("oven-2", 99, timestamp=1714564800))
    copy_in_same_batch = sqs_record(reading("oven-2", 99, timestamp=1714564800))

    assert failed_ids(handler(sqs_event(record, copy_in_same_batch), None)) == []
    assert failed_ids(handler(sqs_event(record), None)) == []          # SQS redelivers it

    assert len(backend.readings("DEVICE#oven-2")) == 1
    assert len(backend.alerts()) == 1


def test_publish_failure_reports_only_that_record_and_the_retry_publishes_once(backend, sns_faults):
    sns_faults.fail_devices = {"oven-3"}
    failing = sqs_record(reading("oven-3", 101, timestamp=1714564800))
    others = [sqs_record(reading("oven-4", 101)), sqs_record(reading("fridge", 3))]

    result = handler(sqs_event(others[0], failing, others[1]), None)

    assert failed_ids(result) == [failing["messageId"]]
    assert [a["deviceId"] for a in backend.alerts()] == ["oven-4"]
    assert len(backend.readings("DEVICE#oven-3")) == 1                   # stored before alerting
    assert _marker(backend, "oven-3", "2024-05-01T12:00:00.000Z") is None  # claim released

    sns_faults.fail_devices = set()                                       # SNS recovers
    assert failed_ids(handler(sqs_event(failing), None)) == []
    assert [a["deviceId"] for a in backend.alerts()] == ["oven-3"]
    assert failed_ids(handler(sqs_event(failing), None)) == []           # a later duplicate
    assert backend.alerts() == []
    assert len(backend.readings("DEVICE#oven-3")) == 1


def test_alert_claimed_by_a_live_delivery_is_retried_later_not_duplicated(backend):
    now = int(time.time())
    backend.ddb.put_item(TableName=backend.table, Item={
        "pk": {"S": "DEVICE#oven-5"}, "sk": {"S": "ALERT#2024-05-01T12:00:00.000Z"},
        "alertState": {"S": "pending"}, "claimToken": {"S": "other-invocation"},
        "leaseUntil": {"N": str(now + 60)}, "ttl": {"N": str(now + 86400)}})
    record = sqs_record(reading("oven-5", 90, timestamp=1714564800))

    assert failed_ids(handler(sqs_event(record), LambdaContext())) == [record["messageId"]]
    assert backend.alerts() == []


def test_lapsed_claim_of_a_crashed_delivery_is_taken_over_and_published_once(backend):
    now = int(time.time())
    backend.ddb.put_item(TableName=backend.table, Item={
        "pk": {"S": "DEVICE#oven-6"}, "sk": {"S": "ALERT#2024-05-01T12:00:00.000Z"},
        "alertState": {"S": "pending"}, "claimToken": {"S": "crashed-invocation"},
        "leaseUntil": {"N": str(now - 1)}, "ttl": {"N": str(now + 86400)}})
    record = sqs_record(reading("oven-6", 90, timestamp=1714564800))

    assert failed_ids(handler(sqs_event(record), LambdaContext())) == []
    assert [a["deviceId"] for a in backend.alerts()] == ["oven-6"]
    assert _marker(backend, "oven-6", "2024-05-01T12:00:00.000Z")["alertState"]["S"] == "sent"


def test_claim_lease_is_the_invocations_remaining_time(backend):
    context = LambdaContext(remaining_ms=20_000)
    seen = {}

    def spy(**_):  # reads the claim while the publish is under way
        item = backend.ddb.get_item(TableName=backend.table, Key={
            "pk": {"S": "DEVICE#oven-7"}, "sk": {"S": "ALERT#2024-05-01T12:00:00.000Z"}})["Item"]
        seen["lease"] = int(item["leaseUntil"]["N"]) - int(time.time())
        seen["token"] = item["claimToken"]["S"]

    handler_aws.client("sns").meta.events.register("before-call.sns.PublishBatch", spy)
    handler(sqs_event(reading("oven-7", 90, timestamp=1714564800)), context)

    assert 19 <= seen["lease"] <= 22
    assert seen["token"] == context.aws_request_id


def test_redelivery_mixed_with_new_hot_readings_alerts_only_the_new_ones(backend):
    old = sqs_record(reading("oven-8", 95, timestamp=1714564800))
    assert failed_ids(handler(sqs_event(old), None)) == []
    assert len(backend.alerts()) == 1
    new = [sqs_record(reading(f"oven-9{i}", 95)) for i in range(3)]

    assert failed_ids(handler(sqs_event(new[0], old, *new[1:]), None)) == []

    assert sorted(a["deviceId"] for a in backend.alerts()) == ["oven-90", "oven-91", "oven-92"]


def test_alerts_cost_one_claim_each_one_publish_per_ten_and_one_marker_write_per_25(backend):
    ddb, sns = handler_aws.client("dynamodb"), handler_aws.client("sns")
    puts, batches = count_calls(ddb, "PutItem"), count_calls(ddb, "BatchWriteItem")
    publishes = count_calls(sns, "PublishBatch")

    handler(sqs_event(*[reading(f"oven-t{i}", 99) for i in range(12)]), None)

    assert (puts(), publishes(), batches()) == (12, 2, 2)   # 1 reading batch + 1 'sent' batch
    assert len(backend.alerts()) == 12


def test_failed_claim_reports_the_record_and_the_retry_alerts_once(backend):
    ddb = handler_aws.client("dynamodb")
    throttles = [1]

    def throttle_once(**_):
        if throttles[0]:
            throttles[0] -= 1
            return error_response("ProvisionedThroughputExceededException", "injected: throttled")
        return None

    ddb.meta.events.register("before-call.dynamodb.PutItem", throttle_once)
    record = sqs_record(reading("oven-c", 99))

    assert failed_ids(handler(sqs_event(record), None)) == [record["messageId"]]
    assert backend.alerts() == []
    assert failed_ids(handler(sqs_event(record), None)) == []
    assert [a["deviceId"] for a in backend.alerts()] == ["oven-c"]


def test_a_conflicting_duplicate_in_one_batch_does_not_hide_the_alert(backend):
    # Same device and timestamp, different values: one item, but the hot reading still alerts.
    hot = {"deviceId": "dup-1", "temperature": 95, "timestamp": 1714564800}
    cold = {"deviceId": "dup-1", "temperature": 20, "timestamp": 1714564800}
    result = handler({"Records": [sqs_record(hot), sqs_record(cold)]}, None)
    assert result == {"batchItemFailures": []}
    assert len(backend.readings("DEVICE#dup-1")) == 1
    alerts = backend.alerts()
    assert [a["temperature"] for a in alerts] == [95]
