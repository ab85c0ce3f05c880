"""Telemetry Lambda handler: validate readings, store them, alert on high temperature.

Entry point: ``iot_tiers_runtime.processing.handler.handler``. Two event shapes:

* an **SQS batch** (IoT rule -> SQS -> Lambda, with ``ReportBatchItemFailures``): each
  record body is the JSON the IoT rule built (device payload plus ``deviceId`` and
  ``brokerTimestamp``). Returns ``{"batchItemFailures": [{"itemIdentifier": id}, ...]}``
  naming exactly the records SQS should deliver again;
* a **direct IoT rule invocation**: the event is one reading. Returns a summary;
  raises :class:`TransientFailure` when the reading could not be stored, alerted or
  kept, so that Lambda's asynchronous retries deliver it again.

Per record, exactly one of three things happens: it is written (and alerted on if
hot), it is rejected (counted, logged with its reason and sent to the rejects queue),
or it is reported failed (SQS retries it). Nothing is dropped: a reject that cannot
be sent to the rejects queue is reported failed too.

Environment: ``TABLE_NAME``, ``ALERT_TOPIC_ARN``, ``REJECTS_QUEUE_URL`` (required) and
the optional settings of :class:`iot_tiers_runtime.processing.settings.Settings`. Only the
standard library and this package's pure modules load at import; boto3 and
Powertools load at the first invocation, each AWS client when first needed.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from . import aws, observability
from .backoff import Backoff
from .readings import Reading, Reject, format_millis, parse_body, validate
from .rejects import RejectedRecord, send_rejects
from .settings import ConfigurationError, Settings, load_settings
from .store import Key, batch_write, claim_alerts, reading_item, release_alert, sent_marker_item

__all__ = ["handler", "TransientFailure", "ConfigurationError", "reset"]

SNS_BATCH_LIMIT = 10           # entries per PublishBatch
DEADLINE_MARGIN_S = 3.0        # stop retrying this long before the invocation's timeout
ALERT_SUBJECT = "High temperature alert"

_settings: Optional[Settings] = None
_cold = True


class TransientFailure(RuntimeError):
    """A directly invoked reading could not be fully processed; Lambda should retry it."""


@dataclass
class _Incoming:
    """One record as received: its id for ``batchItemFailures`` and its body."""

    record_id: str
    payload: Any                 # decoded JSON, or a Reject when the body could not be decoded
    raw: Optional[str]
    source: dict[str, Any]


@dataclass
class Outcome:
    """What happened to one invocation's records.

    Attributes:
        failed: record ids to retry, in arrival order.
        accepted: valid records whose reading is in the table.
        rejected: records refused as invalid (and kept on the rejects queue unless in ``failed``).
        alerts_sent: alerts published by this invocation.
        alerts_skipped: alerts already published by an earlier delivery.
        write_retries: BatchWriteItem retries.
        dynamodb_calls: DynamoDB requests made (for the logs and the benchmark).
    """

    failed: list[str] = field(default_factory=list)
    accepted: int = 0
    rejected: int = 0
    alerts_sent: int = 0
    alerts_skipped: int = 0
    write_retries: int = 0
    dynamodb_calls: int = 0


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point (see the module docstring for the event shapes and the result)."""
    global _cold
    settings = _load()
    log = observability.logger()
    request_id = getattr(context, "aws_request_id", None)
    log.append_keys(request_id=request_id, cold_start=_cold)
    _cold = False

    if isinstance(event, dict) and isinstance(event.get("Records"), list):
        incoming = [_from_sqs(index, record) for index, record in enumerate(event["Records"])]
        outcome = process(incoming, settings, context)
        return {"batchItemFailures": [{"itemIdentifier": rid} for rid in outcome.failed]}

    source = {"invocation": "direct", "requestId": request_id}
    outcome = process([_Incoming("direct", event, None, source)], settings, context)
    if outcome.failed:
        raise TransientFailure(
            "the reading could not be fully processed (see the log lines above); "
            "raising so that Lambda retries the invocation")
    return {"accepted": outcome.accepted, "rejected": outcome.rejected,
            "alertsSent": outcome.alerts_sent}


def reset() -> None:
    """Forget cached settings and AWS clients (tests change the environment between runs)."""
    global _settings, _cold
    _settings, _cold = None, True
    aws.reset()


def process(incoming: list[_Incoming], settings: Settings, context: Any = None) -> Outcome:
    """Validate, write, alert and keep rejects for ``incoming``; returns the :class:`Outcome`."""
    log = observability.logger()
    now = time.time()
    received_at = format_millis(int(now * 1000))
    ttl = int(now) + settings.ttl_days * 86_400
    outcome = Outcome()
    failed: set[str] = set()

    # 1. Validate. Duplicates (same device and timestamp) collapse to one item, the
    #    last one winning as sequential PutItems would; every record id is kept so
    #    that a failed write reports all the records that carried it.
    latest: dict[Key, Reading] = {}
    # A conflicting duplicate must not hide an alert: the hottest reading of a key is
    # the one alerted on, whichever reading's values the item keeps.
    hottest: dict[Key, Reading] = {}
    ids_by_key: dict[Key, list[str]] = {}
    rejected: list[RejectedRecord] = []
    for rec in incoming:
        result = rec.payload if isinstance(rec.payload, Reject) else validate(
            rec.payload, now_s=now, max_future_skew_s=settings.max_future_skew_s)
        if isinstance(result, Reject):
            record = None if isinstance(rec.payload, Reject) else rec.payload
            rejected.append(RejectedRecord(rec.record_id, result, record, rec.raw, rec.source))
            log.warning("reading rejected", extra={
                "reason": result.reason, "field": result.field, "detail": result.detail,
                "recordId": rec.record_id, "deviceId": _device_id(record)})
            continue
        latest[result.key] = result
        if result.key not in hottest or result.temperature > hottest[result.key].temperature:
            hottest[result.key] = result
        ids_by_key.setdefault(result.key, []).append(rec.record_id)
    outcome.rejected = len(rejected)

    deadline = time.monotonic() + _retry_window(settings, context)

    # 2. Write the readings, 25 per BatchWriteItem, retrying unprocessed items.
    written: list[Reading] = []
    if latest:
        ddb = aws.client("dynamodb")
        result = batch_write(ddb, settings.table_name,
                             [reading_item(r, ttl) for r in latest.values()],
                             _backoff(settings, deadline))
        outcome.write_retries += result.retries
        outcome.dynamodb_calls += result.calls
        for message in result.errors:
            log.error("reading write failed", extra={"error": message})
        for key, reading in latest.items():
            if key in result.failed:
                failed.update(ids_by_key[key])
            else:
                written.append(reading)
                outcome.accepted += len(ids_by_key[key])

    # 3. Alert on the hot readings that are now stored.
    hot = [hottest[r.key] for r in written if hottest[r.key].temperature > settings.alert_threshold_celsius]
    if hot:
        failed_keys = _alert(hot, settings, context, ttl, deadline, outcome)
        for key in failed_keys:
            failed.update(ids_by_key[key])

    # 4. Keep the rejects; one that cannot be kept must come back rather than vanish.
    if rejected:
        lost, errors = send_rejects(aws.client("sqs"), settings.rejects_queue_url, rejected,
                                    received_at)
        for message in errors:
            log.error("rejects queue send failed", extra={"error": message})
        failed.update(lost)

    outcome.failed = list(dict.fromkeys(rec.record_id for rec in incoming if rec.record_id in failed))
    log.info("batch processed", extra={
        "records": len(incoming), "accepted": outcome.accepted, "rejected": outcome.rejected,
        "failed": len(outcome.failed), "alertsSent": outcome.alerts_sent,
        "alertsSkipped": outcome.alerts_skipped, "writeRetries": outcome.write_retries,
        "dynamodbCalls": outcome.dynamodb_calls})
    observability.publish_counts({
        "ReadingsAccepted": outcome.accepted, "ReadingsRejected": outcome.rejected,
        "AlertsSent": outcome.alerts_sent, "AlertsSkipped": outcome.alerts_skipped,
        "WriteRetries": outcome.write_retries, "RecordsFailed": len(outcome.failed)})
    return outcome


def _alert(hot: list[Reading], settings: Settings, context: Any, ttl: int, deadline: float,
           outcome: Outcome) -> set[Key]:
    """Publish one alert per hot reading, at most once across redeliveries; returns failed keys.

    Why this is exactly-once in practice, and where it is not:

    * The alert is attempted only after the reading's item is written, so a failed
      write retries both, and a redelivery of a stored reading rewrites the same item
      (same key, same values): one item, however many deliveries.
    * Before publishing, a conditional PutItem claims the marker ``ALERT#<timestamp>``
      (state ``pending``, our token, a lease). It succeeds only if there is no marker,
      or a ``pending`` one whose lease has run out. A redelivery that finds ``sent``
      skips the alert and succeeds; one that finds an unexpired ``pending`` claim (a
      concurrent delivery of the same reading is publishing) is reported failed and
      retried later, when the claim is ``sent`` (skip) or has lapsed (take over).
    * If PublishBatch fails for the entry, we delete our claim (conditional on our token)
      and report the record failed: the retry claims again and publishes once. If even
      the delete fails, the lease lapses before SQS shows the message again: the lease
      is this invocation's remaining time, and the SQS visibility timeout is six times
      the function timeout.
    * A crash between claim and publish leaves a ``pending`` claim that lapses the same
      way, so the alert is never lost.
    * After a successful publish the marker is overwritten with ``sent``. The remaining
      windows give a *duplicate*, never a loss: a crash after publishing but before
      ``sent`` is stored (the retry, after the lease, publishes again), a ``sent`` write
      that fails after every retry (a later redelivery past the lease publishes again),
      and an SNS call that succeeded but whose reply was lost (treated as a failure).
      Alert consumers can de-duplicate on (deviceId, timestamp), both in the message.
    """
    log = observability.logger()
    ddb = aws.client("dynamodb")
    now_s = int(time.time())
    token = getattr(context, "aws_request_id", None) or uuid.uuid4().hex
    lease_s = _lease_seconds(settings, context)
    failed: set[Key] = set()

    claims = claim_alerts(ddb, settings.table_name, hot, token=token, now_s=now_s, lease_s=lease_s,
                          ttl=ttl)
    outcome.dynamodb_calls += claims.calls
    for message in claims.errors:
        log.error("alert claim failed", extra={"error": message})
    claimed: list[Reading] = []
    for reading in hot:
        state = claims.states[reading.key]
        if state == "claimed":
            claimed.append(reading)
        elif state == "sent":
            outcome.alerts_skipped += 1
        else:
            if state == "in-flight":
                log.warning("alert held by another delivery; retrying later",
                            extra={"deviceId": reading.device_id, "timestamp": reading.timestamp})
            failed.add(reading.key)
    if not claimed:
        return failed

    sns = aws.client("sns")
    published: list[tuple[Reading, str]] = []
    for start in range(0, len(claimed), SNS_BATCH_LIMIT):
        chunk = claimed[start:start + SNS_BATCH_LIMIT]
        entries = [_alert_entry(str(i), r, settings.alert_threshold_celsius)
                   for i, r in enumerate(chunk)]
        try:
            response = sns.publish_batch(TopicArn=settings.alert_topic_arn,
                                         PublishBatchRequestEntries=entries)
            sent_ids = {e["Id"]: e.get("MessageId", "") for e in response.get("Successful") or []}
            errors = {e["Id"]: f"{e.get('Code')}: {e.get('Message')}" for e in response.get("Failed") or []}
        except Exception as exc:
            sent_ids, errors = {}, {str(i): str(exc) for i in range(len(chunk))}
        for i, reading in enumerate(chunk):
            if str(i) in sent_ids:
                published.append((reading, sent_ids[str(i)]))
                continue
            # Not published (failed, or missing from the reply): free the claim, retry the record.
            log.error("alert publish failed", extra={
                "deviceId": reading.device_id, "timestamp": reading.timestamp,
                "error": errors.get(str(i), "no result for this entry in PublishBatch's reply")})
            failed.add(reading.key)
            outcome.dynamodb_calls += 1
            problem = release_alert(ddb, settings.table_name, reading, token=token)
            if problem:
                log.warning("alert claim not released; it lapses with its lease",
                            extra={"deviceId": reading.device_id, "error": problem})
    outcome.alerts_sent += len(published)

    if published:
        sent_at = format_millis(int(time.time() * 1000))
        result = batch_write(ddb, settings.table_name,
                             [sent_marker_item(r, token=token, message_id=mid, sent_at=sent_at, ttl=ttl)
                              for r, mid in published],
                             _backoff(settings, deadline))
        outcome.dynamodb_calls += result.calls
        outcome.write_retries += result.retries
        for message in result.errors:
            # The alert went out: reporting the record failed would publish it again now.
            log.warning("alert sent but its marker not stored; a redelivery after the lease "
                        "would alert again", extra={"error": message})
    return failed


def _alert_entry(entry_id: str, reading: Reading, threshold: float) -> dict[str, Any]:
    message = {"deviceId": reading.device_id, "temperature": reading.temperature,
               "humidity": reading.humidity, "timestamp": reading.timestamp,
               "thresholdCelsius": threshold}
    return {
        "Id": entry_id,
        "Subject": ALERT_SUBJECT,
        "Message": json.dumps(message, separators=(",", ":")),
        "MessageAttributes": {"deviceId": {"DataType": "String", "StringValue": reading.device_id}},
    }


def _from_sqs(index: int, record: Any) -> _Incoming:
    if not isinstance(record, dict):
        reject = Reject("not-an-object", None, "an SQS record must be an object")
        return _Incoming(f"record-{index}", reject, None, {"index": index})
    record_id = str(record.get("messageId") or f"record-{index}")
    attributes = record.get("attributes") if isinstance(record.get("attributes"), dict) else {}
    source = {"messageId": record_id, "eventSourceARN": record.get("eventSourceARN"),
              "approximateReceiveCount": attributes.get("ApproximateReceiveCount")}
    body = record.get("body")
    return _Incoming(record_id, parse_body(body), body if isinstance(body, str) else None, source)


def _load() -> Settings:
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def _remaining_s(context: Any) -> Optional[float]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        try:
            return float(remaining()) / 1000.0
        except (TypeError, ValueError):
            return None
    return None


def _retry_window(settings: Settings, context: Any) -> float:
    remaining = _remaining_s(context)
    if remaining is None:
        return settings.write_retry_budget_s
    return max(0.0, min(settings.write_retry_budget_s, remaining - DEADLINE_MARGIN_S))


def _lease_seconds(settings: Settings, context: Any) -> int:
    # The claim must outlive this invocation (so no one else publishes while we may),
    # and lapse before SQS redelivers (visibility timeout = 6 x function timeout).
    remaining = _remaining_s(context)
    return settings.alert_lease_s if remaining is None else math.ceil(remaining) + 1


def _backoff(settings: Settings, deadline: float) -> Backoff:
    return Backoff(max_attempts=settings.write_max_attempts, base_s=settings.write_backoff_base_s,
                   cap_s=settings.write_backoff_cap_s, deadline=deadline)


def _device_id(record: Any) -> Optional[str]:
    device = record.get("deviceId") if isinstance(record, dict) else None
    return device[:128] if isinstance(device, str) else None
