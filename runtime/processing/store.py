"""DynamoDB I/O of the telemetry handler: reading items, batch writes, alert markers.

Uses the low-level client with hand-built attribute values: no resource layer and
no type serialiser to import on the cold-start path.

Item layout (table keys ``pk``/``sk``, both strings; TTL attribute ``ttl``):

=====================  ===========================  =============================================
pk                     sk                           other attributes
=====================  ===========================  =============================================
``DEVICE#<deviceId>``  ``TS#<timestamp>``           ``temperature``, ``humidity`` (if sent), ``ttl``
``DEVICE#<deviceId>``  ``ALERT#<timestamp>``        ``alertState`` (``pending``/``sent``),
                                                    ``claimToken``, ``leaseUntil``, ``ttl``, and
                                                    once sent ``snsMessageId``, ``sentAt``
=====================  ===========================  =============================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from .backoff import Backoff
from .readings import Reading, decimal_text

Key = tuple[str, str]
BATCH_WRITE_LIMIT = 25  # DynamoDB's limit of requests per BatchWriteItem

#: Error codes worth retrying: capacity and transient service errors.
RETRYABLE_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable", "Throttling",
})


def reading_item(reading: Reading, ttl: int) -> dict[str, dict[str, str]]:
    """The table item of one reading (low-level attribute values)."""
    item = {
        "pk": {"S": reading.pk},
        "sk": {"S": reading.sk},
        "temperature": {"N": decimal_text(reading.temperature)},
        "ttl": {"N": str(ttl)},
    }
    if reading.humidity is not None:
        item["humidity"] = {"N": decimal_text(reading.humidity)}
    return item


def alert_key(reading: Reading) -> Key:
    return (reading.pk, f"ALERT#{reading.timestamp}")


@dataclass
class WriteResult:
    """Outcome of :func:`batch_write`.

    Attributes:
        failed: keys still unwritten after every allowed attempt.
        retries: attempts beyond the first, summed over chunks.
        calls: BatchWriteItem calls made.
        errors: one message per failed call or exhausted chunk, for the log.
    """

    failed: set[Key] = field(default_factory=set)
    retries: int = 0
    calls: int = 0
    errors: list[str] = field(default_factory=list)


def batch_write(client: Any, table: str, items: Iterable[dict[str, Any]], backoff: Backoff) -> WriteResult:
    """Put ``items`` with BatchWriteItem, 25 per call, retrying unprocessed ones.

    Items must have distinct (pk, sk) keys (DynamoDB rejects a batch with duplicates).
    A chunk whose call fails with a retryable error (throttling, 5xx) is retried whole
    under the same :class:`Backoff`; a non-retryable error fails the chunk at once.
    """
    result = WriteResult()
    pending = [{"PutRequest": {"Item": item}} for item in items]
    chunks = [pending[i:i + BATCH_WRITE_LIMIT] for i in range(0, len(pending), BATCH_WRITE_LIMIT)]
    for chunk in chunks:
        attempt = 0
        while chunk:
            attempt += 1
            result.calls += 1
            try:
                response = client.batch_write_item(RequestItems={table: chunk})
                chunk = (response.get("UnprocessedItems") or {}).get(table) or []
                why = f"{len(chunk)} unprocessed item(s)"
            except Exception as exc:  # botocore ClientError or a connection error
                code = _error_code(exc)
                why = f"{code or type(exc).__name__}: {exc}"
                if not _retryable(exc, code):
                    result.errors.append(f"BatchWriteItem failed without retry: {why}")
                    break
            if chunk and not backoff.wait(attempt):
                result.errors.append(f"BatchWriteItem gave up after {attempt} attempt(s): {why}")
                break
            if chunk:
                result.retries += 1
        result.failed.update(_key(request["PutRequest"]["Item"]) for request in chunk)
    return result


@dataclass
class ClaimResult:
    """Outcome of :func:`claim_alerts`.

    Attributes:
        states: per reading key (``Reading.key``), ``"claimed"`` (publish it), ``"sent"``
            (an earlier delivery published it: skip), ``"in-flight"`` (another delivery
            holds an unexpired claim: report failed, retry later) or ``"error"`` (the
            claim could not be made: report failed).
        calls: PutItem calls made.
        errors: messages for the log.
    """

    states: dict[Key, str] = field(default_factory=dict)
    calls: int = 0
    errors: list[str] = field(default_factory=list)


MAX_CONCURRENT_CLAIMS = 8


def claim_alerts(client: Any, table: str, readings: list[Reading], *, token: str, now_s: int,
                 lease_s: int, ttl: int) -> ClaimResult:
    """Claim the right to publish each reading's alert, one conditional PutItem each.

    The claim is the marker ``ALERT#<timestamp>`` (state ``pending``, ``token``,
    ``leaseUntil = now + lease``), put on condition that there is no marker, or only a
    ``pending`` one whose lease has run out. When the condition fails DynamoDB returns
    the marker it found (``ReturnValuesOnConditionCheckFailure``), which says whether
    the alert is ``sent`` or ``in-flight``. Throttling is retried by botocore's own
    retry mode; what still fails is an ``error``.

    One request per alert, up to :data:`MAX_CONCURRENT_CLAIMS` in flight (boto3 clients
    are thread-safe; the requests are independent). Not TransactWriteItems, though it
    could claim 100 in one request: a transaction is all-or-nothing, so one redelivered
    reading cancels everyone's claims and costs a second request, and transactional
    writes cost twice the capacity. Alerts are rare; readings go 25 per request.
    """
    def claim(reading: Reading) -> tuple[str, Optional[str]]:
        return _claim_one(client, table, reading, token=token, now_s=now_s, lease_s=lease_s, ttl=ttl)

    if len(readings) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(MAX_CONCURRENT_CLAIMS, len(readings))) as pool:
            outcomes = list(pool.map(claim, readings))
    else:
        outcomes = [claim(r) for r in readings]
    result = ClaimResult(calls=len(readings))
    for reading, (state, error) in zip(readings, outcomes):
        result.states[reading.key] = state
        if error:
            result.errors.append(error)
    return result


def _claim_one(client: Any, table: str, reading: Reading, *, token: str, now_s: int, lease_s: int,
               ttl: int) -> tuple[str, Optional[str]]:
    """One claim: its state (see :class:`ClaimResult`) and an error message or None."""
    pk, sk = alert_key(reading)
    try:
        client.put_item(
            TableName=table,
            Item={
                "pk": {"S": pk}, "sk": {"S": sk},
                "alertState": {"S": "pending"},
                "claimToken": {"S": token},
                "leaseUntil": {"N": str(now_s + lease_s)},
                "ttl": {"N": str(ttl)},
            },
            ConditionExpression="attribute_not_exists(pk) OR "
                                "(alertState = :pending AND leaseUntil < :now)",
            ExpressionAttributeValues={":pending": {"S": "pending"}, ":now": {"N": str(now_s)}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except Exception as exc:
        code = _error_code(exc)
        if code != "ConditionalCheckFailedException":
            return "error", f"alert claim for {pk} {sk} failed: {code or type(exc).__name__}: {exc}"
        old = getattr(exc, "response", {}).get("Item") or {}
        return ("sent" if old.get("alertState", {}).get("S") == "sent" else "in-flight"), None
    return "claimed", None


def release_alert(client: Any, table: str, reading: Reading, *, token: str) -> Optional[str]:
    """Delete our claim so that the retry can publish; returns an error message or None.

    Conditional on our token: a claim another delivery has since taken over is left alone.
    """
    pk, sk = alert_key(reading)
    try:
        client.delete_item(
            TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
            ConditionExpression="claimToken = :token",
            ExpressionAttributeValues={":token": {"S": token}},
        )
    except Exception as exc:
        if _error_code(exc) == "ConditionalCheckFailedException":
            return None
        return f"{_error_code(exc) or type(exc).__name__}: {exc}"
    return None


def sent_marker_item(reading: Reading, *, token: str, message_id: str, sent_at: str,
                     ttl: int) -> dict[str, dict[str, str]]:
    """The marker of a published alert: later deliveries of the reading skip it."""
    pk, sk = alert_key(reading)
    return {
        "pk": {"S": pk}, "sk": {"S": sk},
        "alertState": {"S": "sent"},
        "claimToken": {"S": token},
        "snsMessageId": {"S": message_id},
        "sentAt": {"S": sent_at},
        "ttl": {"N": str(ttl)},
    }


def _retryable(exc: BaseException, code: Optional[str]) -> bool:
    """Throttling and 5xx errors, and lost connections; not bad requests."""
    if code is not None:
        return code in RETRYABLE_CODES
    from botocore.exceptions import ConnectionError, HTTPClientError

    return isinstance(exc, (ConnectionError, HTTPClientError))  # refused, closed, timed out


def _key(item: dict[str, Any]) -> Key:
    return (item["pk"]["S"], item["sk"]["S"])


def _error_code(exc: BaseException) -> Optional[str]:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None
