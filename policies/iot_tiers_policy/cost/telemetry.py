"""The bytes the meters count: our handler's items and our MQTT topics, as data.

AWS bills several services on sizes: IoT Core meters a message on its topic plus
payload in 5 KB steps; DynamoDB bills a write per started KB of the item (its
attribute names and values) and stores 100 bytes of overhead with every item. The
telemetry path of this project writes known items and publishes on known topics,
so their sizes are computed here from their layout (the layout is the
ProcessingTier handler's, ``iot_tiers_runtime.processing.store``; the pack cannot
import it, and tests check the two agree), with representative values: a device id
of the length below, the canonical 24-character timestamp, a two-digit reading.

Pure Python: this module ships inside the published policy pack.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

#: A representative device id (its length is what counts: 11 characters).
DEVICE_ID = "sensor-0001"
#: The handler's canonical timestamp form (ISO-8601 UTC with milliseconds: 24 characters).
TIMESTAMP = "2024-05-01T12:00:00.123Z"
#: A representative TTL attribute (epoch seconds, 10 significant digits).
TTL_EPOCH = "1767225641"
#: An AWS request id / SNS message id (a UUID: 36 characters).
UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"

#: Topics: the devices publish telemetry on the first, the relay republishes alerts on the second.
TELEMETRY_TOPIC = f"devices/{DEVICE_ID}/telemetry"
ALERT_TOPIC = f"alerts/{DEVICE_ID}"
#: The IoT rule adds ``deviceId`` and ``brokerTimestamp`` (ms) to the payload it sends to SQS.
RULE_ADDED = f',"deviceId":"{DEVICE_ID}","brokerTimestamp":1714564800123'
#: The alert the handler publishes and the relay republishes (compact JSON).
ALERT_PAYLOAD = ('{"deviceId":"%s","temperature":85.5,"humidity":40.1,"timestamp":"%s","thresholdCelsius":80}'
                 % (DEVICE_ID, TIMESTAMP))
#: Bytes an MQTT 5 PUBLISH adds to topic + payload (fixed header, topic length, packet id,
#: properties), plus the client's PUBACK, each in a TLS record (5-byte header, 8-byte
#: nonce, 16-byte tag): what a delivery moves besides its topic and payload.
MQTT_TLS_OVERHEAD_BYTES = 7 + 29 + 4 + 29

#: DynamoDB stores this much per item beyond its attributes (and bills storage on it).
DDB_ITEM_OVERHEAD_BYTES = 100


def ddb_number_bytes(text: str) -> int:
    """A DynamoDB number's size: 1 byte per two significant digits, plus 1 (zeros at either end trimmed)."""
    try:
        d = Decimal(str(text))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    digits = d.normalize().as_tuple().digits if d else (0,)
    digits = tuple(digits)
    while len(digits) > 1 and digits[0] == 0:
        digits = digits[1:]
    return math.ceil(len(digits) / 2) + 1


def ddb_value_bytes(value: Mapping[str, Any]) -> int:
    """Size of one low-level attribute value (``{"S": ...}``, ``{"N": ...}``, ``{"BOOL": ...}``...)."""
    (kind, v), = value.items()
    if kind == "S":
        return len(str(v).encode("utf-8"))
    if kind == "N":
        return ddb_number_bytes(v)
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    raise ValueError(f"attribute type {kind!r}: sized types are S, N, B, BOOL, NULL")


def ddb_item_bytes(item: Mapping[str, Mapping[str, Any]]) -> int:
    """An item's size as DynamoDB counts it for write units: attribute names plus values."""
    return sum(len(name.encode("utf-8")) + ddb_value_bytes(value) for name, value in item.items())


#: The reading item ``store.reading_item`` writes (humidity present).
READING_ITEM = {
    "pk": {"S": f"DEVICE#{DEVICE_ID}"},
    "sk": {"S": f"TS#{TIMESTAMP}"},
    "temperature": {"N": "21.5"},
    "ttl": {"N": TTL_EPOCH},
    "humidity": {"N": "45.2"},
}
#: The claim ``store.claim_alerts`` puts before publishing an alert (conditional PutItem).
ALERT_CLAIM_ITEM = {
    "pk": {"S": f"DEVICE#{DEVICE_ID}"}, "sk": {"S": f"ALERT#{TIMESTAMP}"},
    "alertState": {"S": "pending"}, "claimToken": {"S": UUID},
    "leaseUntil": {"N": "1714564830"}, "ttl": {"N": TTL_EPOCH},
}
#: The marker ``store.sent_marker_item`` overwrites the claim with once the alert is published.
ALERT_SENT_ITEM = {
    "pk": {"S": f"DEVICE#{DEVICE_ID}"}, "sk": {"S": f"ALERT#{TIMESTAMP}"},
    "alertState": {"S": "sent"}, "claimToken": {"S": UUID},
    "snsMessageId": {"S": UUID}, "sentAt": {"S": TIMESTAMP}, "ttl": {"N": TTL_EPOCH},
}

#: Writes the handler makes per alert: the claim, then the sent marker.
ALERT_WRITES = (ALERT_CLAIM_ITEM, ALERT_SENT_ITEM)


def reading_item_bytes() -> int:
    """83 B: the reading item's attributes (``pk`` 20, ``sk`` 29, ``temperature`` 14, ``humidity`` 11, ``ttl`` 9)."""
    return ddb_item_bytes(READING_ITEM)


def telemetry_message_bytes(payload_bytes: float) -> float:
    """What IoT Core meters for a device's telemetry message: its topic plus payload."""
    return len(TELEMETRY_TOPIC) + payload_bytes


def alert_message_bytes() -> int:
    """What IoT Core meters for a relayed alert delivered over MQTT: topic plus payload."""
    return len(ALERT_TOPIC) + len(ALERT_PAYLOAD)


def queued_message_bytes(payload_bytes: float) -> float:
    """The SQS message the IoT rule sends: the payload plus the fields its SQL adds."""
    return payload_bytes + len(RULE_ADDED)
