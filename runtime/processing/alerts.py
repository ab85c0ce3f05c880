"""Alerts as dashboards receive them: one MQTT message on ``alerts/<deviceId>``.

The telemetry handler publishes each alert to SNS (its subscribers: e-mail, pagers,
other systems). The bridge forwards MQTT topics only, so a relay republishes every
alert to MQTT. In the cloud the relay is a small Lambda subscribed to the topic
(:mod:`iot_tiers_runtime.processing.alert_relay`); ``tiers local`` runs the same shaping over an
SQS subscription. Both read the alert through this module, so the topic and the
payload a dashboard sees are the same in both places.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping

#: Default MQTT topic prefix of relayed alerts; the device id is the next level.
ALERT_TOPIC_PREFIX = "alerts/"

#: Longest device id the handler accepts, and so the longest topic level we emit.
_MAX_DEVICE_CHARS = 128


def topic_level(device_id: Any) -> str:
    """A device id made safe as one MQTT topic level (no wildcards, no separators)."""
    if not isinstance(device_id, str) or not device_id:
        return "unknown"
    return "".join(c if c not in "+#/" else "_" for c in device_id)[:_MAX_DEVICE_CHARS] or "unknown"


def alert_from_sns(message: Any, attributes: Mapping[str, Any]) -> tuple[str, Any]:
    """(topic level, alert) from an SNS message and its message attributes.

    ``message`` is the SNS ``Message`` text (the handler's alert JSON). The device id
    comes from the alert's ``deviceId``, else the ``deviceId`` message attribute.
    Attribute values appear as ``{"Value": ...}`` in SNS notifications and Lambda
    events alike.
    """
    try:
        alert: Any = json.loads(message) if isinstance(message, str) else message
    except ValueError:
        alert = message
    device = alert.get("deviceId") if isinstance(alert, dict) else None
    if not isinstance(device, str) or not device:
        device = (attributes.get("deviceId") or {}).get("Value")
    return topic_level(device), alert


def alert_from_notification(body: str) -> tuple[str, Any]:
    """(topic level, alert) from an SNS notification delivered to SQS (or a raw message)."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return "unknown", body
    if isinstance(envelope, dict) and envelope.get("Type") == "Notification":
        return alert_from_sns(envelope.get("Message", ""), envelope.get("MessageAttributes") or {})
    return alert_from_sns(envelope, {})


def alerts_from_lambda_event(event: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(topic level, alert) for every record of an SNS-triggered Lambda event."""
    for record in event.get("Records") or []:
        sns = record.get("Sns") or {} if isinstance(record, dict) else {}
        yield alert_from_sns(sns.get("Message", ""), sns.get("MessageAttributes") or {})


def encode(alert: Any) -> str:
    """The MQTT payload: compact JSON, as the bridge forwards it unchanged."""
    return json.dumps(alert, separators=(",", ":"))
