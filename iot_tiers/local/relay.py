"""Alerts to the dashboard: SNS topic -> SQS queue -> this relay -> MQTT ``alerts/<deviceId>``.

The handler publishes alerts to the tier's SNS topic; the bridge forwards MQTT
topics only. So that the dashboard's alert list shows what the handler really
published (not alerts re-derived from readings in the browser), the local stack
subscribes a queue to the topic and this relay republishes each notification's
``Message`` (the handler's alert JSON) to MQTT ``alerts/<deviceId>``, where the
bridge picks it up like any other topic. In the cloud the ProcessingTier subscribes
the alert relay Lambda (``iot_tiers_runtime.processing.alert_relay``) to the topic instead;
both shape the alert with :mod:`iot_tiers_runtime.processing.alerts`, so dashboards see the
same topic and payload.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from iot_tiers_runtime.processing.alerts import ALERT_TOPIC_PREFIX, alert_from_notification, encode

from .broker import mqtt_connect, mqtt_disconnect

@dataclass
class RelayCounters:
    relayed: int = 0
    errors: int = 0
    devices: set[str] = field(default_factory=set)


class AlertRelay:
    """Move alert notifications from ``queue_url`` to MQTT ``alerts/<deviceId>``.

    Args:
        broker_port: mosquitto's port on 127.0.0.1.
        sqs: a boto3 SQS client for moto.
        queue_url: the queue subscribed to the alert topic.
    """

    def __init__(self, broker_port: int, sqs: Any, queue_url: str) -> None:
        self.broker_port = broker_port
        self.sqs = sqs
        self.queue_url = queue_url
        self.counters = RelayCounters()
        self._client: Any = None
        self._task: Optional[asyncio.Task] = None
        self._stopping = False

    async def start(self) -> None:
        client = await mqtt_connect("alerts", self.broker_port)
        self._client = client
        self._task = asyncio.create_task(self._loop(), name="alert-relay")

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                messages = await asyncio.to_thread(self._receive)
            except Exception:
                self.counters.errors += 1
                await asyncio.sleep(0.5)
                continue
            done = []
            for m in messages:
                device, alert = alert_from_notification(m["Body"])
                self._client.publish(ALERT_TOPIC_PREFIX + device, encode(alert), qos=1)
                self.counters.relayed += 1
                self.counters.devices.add(device)
                done.append({"Id": str(len(done)), "ReceiptHandle": m["ReceiptHandle"]})
            if done:
                try:
                    await asyncio.to_thread(self.sqs.delete_message_batch, QueueUrl=self.queue_url, Entries=done)
                except Exception:
                    self.counters.errors += 1

    def _receive(self) -> list[dict[str, Any]]:
        return self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                        WaitTimeSeconds=1).get("Messages", [])

    async def settle(self, expected: int, timeout: float) -> bool:
        """Wait up to ``timeout`` s until ``expected`` alerts have been relayed; True if so."""
        deadline = time.monotonic() + timeout
        while self.counters.relayed < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return self.counters.relayed >= expected

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 3)
            except (asyncio.TimeoutError, Exception):
                self._task.cancel()
            self._task = None
        if self._client is not None:
            await mqtt_disconnect(self._client)
            self._client = None


__all__ = ["ALERT_TOPIC_PREFIX", "AlertRelay", "alert_from_notification"]
