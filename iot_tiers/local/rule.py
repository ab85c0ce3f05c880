"""A local stand-in for the ProcessingTier's IoT rule: MQTT telemetry into the SQS queue.

The cloud rule is ``SELECT *, topic(N) AS deviceId, timestamp() AS brokerTimestamp
FROM '<topic filter>'`` with an SQS action (``useBase64`` off) on the telemetry
queue and an SQS error action on the rejects queue. This stand-in subscribes to
the same filter on mosquitto (QoS 1) and sends, per message, what the rule would:

* a JSON object payload: the object plus ``deviceId`` (the topic level the SQL
  names; it replaces a ``deviceId`` the device sent, as the alias does) and
  ``brokerTimestamp`` (epoch milliseconds when the message arrived), as the body
  of one message on the telemetry queue;
* anything else (not JSON, or JSON that is not an object): the SQL cannot add
  fields to it, so the rule fails for that message. The stand-in sends it to the
  rejects queue in the shape of IoT Core's error-action message (``ruleName``,
  ``topic``, ``base64OriginalPayload``, ``failures``), so every reading the
  devices publish is accounted for. (Offline we cannot check whether AWS routes
  this particular failure to the error action or only logs it; the handler never
  sees such a payload either way.)

Messages are sent with SendMessageBatch (up to 10 at a time) from a background
task: the resulting queue contents are the same as the rule's one SendMessage per
message, at a fraction of the calls.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Optional

from .broker import mqtt_connect, mqtt_disconnect

#: Why the stand-in refuses a payload; also the ``errorMessage`` of its error-action message.
NOT_JSON = "the payload is not JSON, so the rule's SELECT cannot add deviceId and brokerTimestamp"
NOT_OBJECT = "the payload is JSON but not an object, so the rule's SELECT cannot add deviceId and brokerTimestamp"


def topic_level(topic: str, level: int) -> str:
    """The 1-based ``level`` of ``topic``, as IoT SQL's ``topic(level)`` ("" when absent)."""
    parts = topic.split("/")
    return parts[level - 1] if 0 < level <= len(parts) else ""


@dataclass(frozen=True)
class Routed:
    """Where one MQTT message goes: ``"queue"`` (telemetry) or ``"rejects"``, and the body."""

    target: str
    body: str


def route(topic: str, payload: bytes, *, device_level: int, now_ms: int, rule_name: str,
          queue_name: str = "", client_id: str = "") -> Routed:
    """What the rule makes of one message on ``topic`` with ``payload``.

    Args:
        topic: the MQTT topic the message was published to.
        payload: its bytes.
        device_level: the level ``topic(N) AS deviceId`` reads (1-based).
        now_ms: the broker timestamp to add, epoch milliseconds.
        rule_name: the rule's name, for error-action messages.
        queue_name: the telemetry queue's name, for error-action messages (default "").
        client_id: the publisher's client id if known (default "").
    """
    reason: Optional[str] = None
    try:
        value = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        reason = NOT_JSON
    else:
        if isinstance(value, dict):
            value.update(deviceId=topic_level(topic, device_level), brokerTimestamp=now_ms)
            return Routed("queue", json.dumps(value, separators=(",", ":")))
        reason = NOT_OBJECT
    return Routed("rejects", json.dumps({
        "ruleName": rule_name,
        "topic": topic,
        "cloudwatchTraceId": str(uuid.uuid4()),
        "clientId": client_id,
        "base64OriginalPayload": base64.b64encode(payload).decode("ascii"),
        "failures": [{"failedAction": "SqsAction", "failedResource": queue_name,
                      "errorMessage": reason}],
    }, separators=(",", ":")))


@dataclass
class RuleCounters:
    """What the stand-in has done so far."""

    received: int = 0
    to_queue: int = 0
    to_rejects: int = 0
    send_failures: int = 0


class RuleStandIn:
    """Subscribe to the telemetry filter and forward each message to SQS.

    Args:
        broker_port: mosquitto's port on 127.0.0.1.
        topic_filter: the rule's ``FROM`` filter (``devices/+/telemetry``).
        device_level: the level holding the device id (``2``).
        sqs: a boto3 SQS client for moto.
        queue_url: the telemetry queue.
        rejects_url: the rejects queue (the rule's error action).
        rule_name: the rule's name (``processing_telemetry``).
        queue_name: the telemetry queue's name, quoted in error-action messages.
    """

    def __init__(self, broker_port: int, topic_filter: str, device_level: int, sqs: Any,
                 queue_url: str, rejects_url: str, rule_name: str, queue_name: str = "") -> None:
        self.broker_port = broker_port
        self.topic_filter = topic_filter
        self.device_level = device_level
        self.sqs = sqs
        self.urls = {"queue": queue_url, "rejects": rejects_url}
        self.rule_name = rule_name
        self.queue_name = queue_name
        self.counters = RuleCounters()
        self._pending: asyncio.Queue[Routed] = asyncio.Queue()
        self._sending = 0
        self._client: Any = None
        self._sender: Optional[asyncio.Task] = None

    async def start(self) -> None:
        subscribed = asyncio.Event()
        client = await mqtt_connect("rule", self.broker_port, on_message=self._on_message)
        client.on_subscribe = lambda *args: subscribed.set()
        client.subscribe(self.topic_filter, qos=1)
        await asyncio.wait_for(subscribed.wait(), 10)
        self._client = client
        self._sender = asyncio.create_task(self._send_loop(), name="rule-sender")

    def _on_message(self, client: Any, topic: str, payload: bytes, qos: int, properties: Any) -> int:
        self.counters.received += 1
        routed = route(topic, payload, device_level=self.device_level, now_ms=int(time.time() * 1000),
                       rule_name=self.rule_name, queue_name=self.queue_name)
        self._pending.put_nowait(routed)
        return 0  # PUBACK reason code: success

    async def _send_loop(self) -> None:
        while True:
            first = await self._pending.get()
            batch = [first]
            while len(batch) < 10 and not self._pending.empty():
                batch.append(self._pending.get_nowait())
            self._sending = len(batch)
            try:
                for target in ("queue", "rejects"):
                    bodies = [r.body for r in batch if r.target == target]
                    if bodies:
                        await asyncio.to_thread(self._send, target, bodies)
            finally:
                self._sending = 0

    def _send(self, target: str, bodies: list[str]) -> None:
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)]
        for attempt in range(3):
            try:
                response = self.sqs.send_message_batch(QueueUrl=self.urls[target], Entries=entries)
            except Exception:
                if attempt == 2:
                    self.counters.send_failures += len(entries)
                    return
                time.sleep(0.2 * (attempt + 1))
                continue
            ok = len(response.get("Successful") or [])
            if target == "queue":
                self.counters.to_queue += ok
            else:
                self.counters.to_rejects += ok
            failed_ids = {f["Id"] for f in response.get("Failed") or []}
            entries = [e for e in entries if e["Id"] in failed_ids]
            if not entries:
                return
        self.counters.send_failures += len(entries)

    @property
    def backlog(self) -> int:
        """Messages received but not yet sent to SQS."""
        return self._pending.qsize() + self._sending

    async def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until every received message is sent; True if so."""
        deadline = time.monotonic() + timeout
        while self.backlog and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.backlog == 0

    async def stop(self) -> None:
        if self._client is not None:
            await mqtt_disconnect(self._client)
            self._client = None
        if self._sender is not None:
            self._sender.cancel()
            try:
                await self._sender
            except (asyncio.CancelledError, Exception):
                pass
            self._sender = None


__all__ = ["NOT_JSON", "NOT_OBJECT", "RuleCounters", "RuleStandIn", "Routed", "route", "topic_level"]
