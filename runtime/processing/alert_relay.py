"""The alert relay Lambda: SNS alert topic -> MQTT ``<prefix><deviceId>`` on AWS IoT Core.

Subscribed to the ProcessingTier's alert topic, it republishes every alert so the
bridge (which forwards MQTT topics only) can show it on dashboards. A publish that
fails raises: SNS invokes Lambda asynchronously, so Lambda retries the event and then
hands it to the tier's on-failure destination (the dead-letter queue), never drops it.

Environment:
    IOT_DATA_ENDPOINT: the account's IoT data endpoint, ``https://<id>-ats.iot.<region>.amazonaws.com``
        (required; boto3's ``iot-data`` client has no default endpoint).
    ALERT_TOPIC_PREFIX: MQTT topic prefix, default ``alerts/``.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from .alerts import ALERT_TOPIC_PREFIX, alerts_from_lambda_event, encode

_client: Optional[Any] = None


class RelayConfigurationError(RuntimeError):
    """A required environment variable is missing."""


def _iot_data() -> Any:
    global _client
    if _client is None:
        endpoint = os.environ.get("IOT_DATA_ENDPOINT", "")
        if not endpoint:
            raise RelayConfigurationError(
                "IOT_DATA_ENDPOINT is not set: it must be the account's IoT data endpoint "
                "(https://<id>-ats.iot.<region>.amazonaws.com)")
        import boto3  # lazily: the import is most of a cold start

        _client = boto3.client("iot-data", endpoint_url=endpoint)
    return _client


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Republish each alert of an SNS event; returns how many were relayed."""
    prefix = os.environ.get("ALERT_TOPIC_PREFIX", ALERT_TOPIC_PREFIX)
    client = _iot_data()
    relayed = 0
    for device, alert in alerts_from_lambda_event(event):
        # QoS 1: the broker keeps it for the bridge's persistent session if the bridge is away.
        client.publish(topic=f"{prefix}{device}", qos=1, payload=encode(alert).encode())
        relayed += 1
    return {"relayed": relayed}
