"""Keeping invalid readings for inspection: the rejects queue and its envelope.

Every rejected reading becomes one SQS message on ``REJECTS_QUEUE_URL``. Its body is
a JSON envelope::

    {"reason": "out-of-range", "field": "temperature",
     "detail": "temperature must be a number of degrees Celsius from -40 to 125, got 130",
     "record": {...the reading as received...}, "recordFormat": "json",
     "receivedAt": "2024-05-01T12:00:00.123Z",
     "source": {"messageId": "...", "eventSourceARN": "...", "approximateReceiveCount": "1"}}

and its message attributes repeat ``reason`` and ``field`` (so consumers and
subscription filters can route without parsing the body). ``recordFormat`` is
``json`` when ``record`` is the decoded object, ``text`` when ``record`` is a string
holding the body as received (it was not JSON, or held NaN/Infinity, which strict
JSON cannot carry). A record too large to fit SQS's 256 KiB limit once wrapped is
cut: ``record`` then holds the first part of its text, ``recordFormat`` is ``text``
and ``recordTruncated`` is true.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from .readings import Reject

SQS_BATCH_LIMIT = 10            # entries per SendMessageBatch
SQS_MAX_BYTES = 262_144         # 256 KiB: one message, and one whole batch
MAX_ENVELOPE_BYTES = 250_000    # leaves room for the attributes within SQS_MAX_BYTES


@dataclass(frozen=True)
class RejectedRecord:
    """A reject ready to be sent: the record id, the reason and the record as received.

    Attributes:
        record_id: the SQS message id (or ``direct`` for a direct invocation).
        reject: why it was refused.
        record: the decoded body; ``None`` when it could not be decoded.
        raw: the body as received, when there was one (SQS); ``None`` otherwise.
        source: where it came from (message id, queue ARN, receive count).
    """

    record_id: str
    reject: Reject
    record: Any
    raw: Optional[str]
    source: dict[str, Any]


def envelope(rejected: RejectedRecord, received_at: str) -> str:
    """The JSON body of the rejects-queue message, at most :data:`MAX_ENVELOPE_BYTES`."""
    body: dict[str, Any] = {
        "reason": rejected.reject.reason,
        "field": rejected.reject.field,
        "detail": rejected.reject.detail,
        "record": rejected.record,
        "recordFormat": "json",
        "receivedAt": received_at,
        "source": rejected.source,
    }
    if rejected.reject.reason == "invalid-json":
        body["record"], body["recordFormat"] = _as_text(rejected), "text"
    try:
        text = _dumps(body)
    except (ValueError, RecursionError):  # NaN/Infinity inside, or too deep to re-encode
        body["record"], body["recordFormat"] = _as_text(rejected), "text"
        text = _dumps(body)
    if len(text) <= MAX_ENVELOPE_BYTES:
        return text
    record_text = body["record"] if body["recordFormat"] == "text" else _as_text(rejected)
    body["record"] = record_text[: MAX_ENVELOPE_BYTES // 2]
    body["recordFormat"] = "text"
    body["recordTruncated"] = True
    body["recordChars"] = len(record_text)
    text = _dumps(body)
    while len(text) > MAX_ENVELOPE_BYTES:  # escapes can inflate the cut; halve until it fits
        body["record"] = body["record"][: len(body["record"]) // 2]
        text = _dumps(body)
    return text


def send_rejects(client: Any, queue_url: str, rejected: list[RejectedRecord],
                 received_at: str) -> tuple[set[str], list[str]]:
    """Send ``rejected`` with SendMessageBatch; returns (record ids not kept, error messages)."""
    failed: set[str] = set()
    errors: list[str] = []
    for batch in _batches([(r, envelope(r, received_at)) for r in rejected]):
        entries = []
        for index, (rec, body) in enumerate(batch):
            attributes = {"reason": {"DataType": "String", "StringValue": rec.reject.reason}}
            if rec.reject.field:
                attributes["field"] = {"DataType": "String", "StringValue": rec.reject.field}
            entries.append({"Id": str(index), "MessageBody": body, "MessageAttributes": attributes})
        try:
            response = client.send_message_batch(QueueUrl=queue_url, Entries=entries)
        except Exception as exc:
            failed.update(rec.record_id for rec, _ in batch)
            errors.append(f"SendMessageBatch to the rejects queue failed: {exc}")
            continue
        ok = {entry["Id"] for entry in response.get("Successful") or []}
        for index, (rec, _) in enumerate(batch):
            if str(index) not in ok:
                failed.add(rec.record_id)
        for entry in response.get("Failed") or []:
            errors.append(f"rejects queue refused a message: {entry.get('Code')}: {entry.get('Message')}")
    return failed, errors


def _batches(pairs: list[tuple[RejectedRecord, str]]) -> list[list[tuple[RejectedRecord, str]]]:
    """Group into SendMessageBatch calls: at most 10 entries and 256 KiB in total."""
    batches: list[list[tuple[RejectedRecord, str]]] = []
    current: list[tuple[RejectedRecord, str]] = []
    size = 0
    for rec, body in pairs:
        entry_size = len(body) + _attribute_bytes(rec.reject)
        if current and (len(current) == SQS_BATCH_LIMIT or size + entry_size > SQS_MAX_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append((rec, body))
        size += entry_size
    if current:
        batches.append(current)
    return batches


def _attribute_bytes(reject: Reject) -> int:
    # SQS counts name, data type and value of each attribute towards the size limit.
    size = len("reason") + len("String") + len(reject.reason)
    if reject.field:
        size += len("field") + len("String") + len(reject.field)
    return size


def _as_text(rejected: RejectedRecord) -> str:
    """The record as text: the raw body when there is one, else a lenient encoding."""
    if isinstance(rejected.raw, str):
        return rejected.raw
    try:
        return json.dumps(rejected.record, allow_nan=True, default=repr)
    except (ValueError, RecursionError):
        return repr(rejected.record)[:MAX_ENVELOPE_BYTES]


def _dumps(value: Any) -> str:
    # ASCII output: SQS refuses some code points (lone surrogates, U+FFFE...) in bodies.
    # Strict JSON (no NaN): consumers in other languages must be able to read it.
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False,
                      default=repr)
