"""Fuzz: whatever the bodies, no exception escapes and every record is accounted for."""

from __future__ import annotations

import json
from datetime import timedelta, timezone

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from .handler_fixtures import failed_ids, now_ms, sqs_record
from iot_tiers_runtime.processing.handler import handler

THROTTLED = "throttled-dev"    # its items always come back unprocessed
SNS_BROKEN = "sns-broken"      # its alerts always fail to publish

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8)
device_ids = st.one_of(st.sampled_from(["dev-1", "dev-2", THROTTLED, SNS_BROKEN]),
                       st.from_regex(r"[A-Za-z0-9_.:-]{1,130}", fullmatch=True),
                       st.text(max_size=12), json_values)
numbers = st.one_of(st.integers(-60, 140), st.floats(-60, 140), st.floats(), st.integers(), json_values)
offsets = st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)), None])
timestamps = st.one_of(
    st.integers(now_ms() - 10**9, now_ms() + 10**9),                          # epoch ms around now
    st.integers(now_ms() // 1000 - 10**6, now_ms() // 1000 + 10**6),         # epoch s around now
    st.floats(0, 4e12), st.integers(),
    st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(), st.datetimes(), offsets),
    st.text(max_size=30), json_values)
readings = st.fixed_dictionaries({}, optional={
    "deviceId": device_ids, "temperature": numbers, "humidity": numbers,
    "timestamp": timestamps, "brokerTimestamp": timestamps, "extra": json_values})
# Mostly-valid readings, so that the written and failed paths are exercised too.
plausible = st.fixed_dictionaries({
    "deviceId": st.sampled_from(["dev-1", "dev-2", THROTTLED, SNS_BROKEN]),
    "temperature": st.one_of(st.integers(-45, 130), st.floats(-45, 130)),
    "brokerTimestamp": st.integers(now_ms() - 10**6, now_ms()),
}, optional={"humidity": st.one_of(st.integers(-5, 105), st.floats(-5, 105)),
             "timestamp": st.sampled_from([1714564800, 1714564800123, "2024-05-01T12:00:00Z"])})
bodies = st.one_of(
    plausible.map(json.dumps), plausible.map(json.dumps),
    readings.map(json.dumps),                     # NaN/Infinity tokens included, as devices may send
    json_values.map(json.dumps),
    st.text(max_size=40))


def _wipe(backend) -> None:
    for item in backend.items():
        backend.ddb.delete_item(TableName=backend.table, Key={"pk": item["pk"], "sk": item["sk"]})
    backend.rejects()
    backend.alerts()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(batch=st.lists(bodies, min_size=1, max_size=12))
def test_every_record_is_written_rejected_or_reported_failed(backend, dynamo_faults, sns_faults, batch):
    _wipe(backend)
    dynamo_faults.unprocessed_pks = {f"DEVICE#{THROTTLED}"}
    sns_faults.fail_devices = {SNS_BROKEN}
    records = [sqs_record(body, raw=True) for body in batch]

    result = handler({"Records": records}, None)        # no exception escapes

    failed = set(failed_ids(result))
    rejected = {env["source"]["messageId"] for env in backend.rejects()}
    assert set(result) == {"batchItemFailures"}
    assert not failed & rejected
    for record in records:
        message_id = record["messageId"]
        if message_id in failed or message_id in rejected:
            event("failed" if message_id in failed else "rejected")
            continue
        event("written")
        body = json.loads(record["body"])                # accepted, so it was a JSON object...
        assert isinstance(body, dict) and isinstance(body.get("deviceId"), str)
        stored = backend.readings(f"DEVICE#{body['deviceId']}")   # ...whose reading is stored
        assert stored and all(i["sk"]["S"].startswith("TS#") for i in stored)
        assert body["deviceId"] != THROTTLED                      # its write never succeeds
        assert body["deviceId"] != SNS_BROKEN or body["temperature"] <= 80   # nor its alerts
