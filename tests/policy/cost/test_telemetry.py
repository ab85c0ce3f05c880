"""The sizes the meters count, from the handler's real items: DynamoDB's sizing rules by hand.

DynamoDB (Developer Guide, "Item sizes and formats"): an item's size is the sum of its
attribute names' and values' lengths; a string counts its UTF-8 bytes; a number about
1 byte per two significant digits plus 1 byte. Storage adds 100 bytes per item. The
items are built by the handler's own code (``iot_tiers_runtime.processing.store``),
so a change to its layout shows up here, not only in the cost model's copy of it.
"""

from __future__ import annotations

from iot_tiers_policy.cost import telemetry as tm
from iot_tiers_runtime.processing.readings import Reading
from iot_tiers_runtime.processing.store import reading_item, sent_marker_item


def test_the_reading_item_is_83_bytes_and_183_stored_not_payload_plus_100():
    item = reading_item(Reading(tm.DEVICE_ID, tm.TIMESTAMP, 21.5, 45.2), ttl=int(tm.TTL_EPOCH))
    # pk: "pk" (2) + "DEVICE#sensor-0001" (18) = 20; sk: "sk" (2) + "TS#2024-05-01T12:00:00.123Z" (27) = 29;
    # temperature: 11 + 21.5 (3 digits: 2 + 1) = 14; humidity: 8 + 45.2 (3) = 11; ttl: 3 + 10 digits (5 + 1) = 9.
    assert set(item) == {"pk", "sk", "temperature", "humidity", "ttl"}
    assert tm.ddb_item_bytes(item) == 20 + 29 + 14 + 11 + 9 == 83
    assert tm.reading_item_bytes() == tm.ddb_item_bytes(item)
    assert tm.reading_item_bytes() + tm.DDB_ITEM_OVERHEAD_BYTES == 183  # the audit's "about 183 B"


def test_the_sent_alert_marker_is_199_bytes_and_the_claim_140():
    marker = sent_marker_item(Reading(tm.DEVICE_ID, tm.TIMESTAMP, 85.5), token=tm.UUID, message_id=tm.UUID,
                              sent_at=tm.TIMESTAMP, ttl=int(tm.TTL_EPOCH))
    # pk 20; sk: 2 + "ALERT#" + 24 = 32; alertState: 10 + "sent" 4 = 14; claimToken: 10 + 36 = 46;
    # snsMessageId: 12 + 36 = 48; sentAt: 6 + 24 = 30; ttl 9.
    assert tm.ddb_item_bytes(marker) == 20 + 32 + 14 + 46 + 48 + 30 + 9 == 199
    assert tm.ddb_item_bytes(tm.ALERT_SENT_ITEM) == 199
    # the claim: pk 20, sk 32, alertState "pending" 10 + 7, claimToken 46, leaseUntil 10 + 6, ttl 9
    assert tm.ddb_item_bytes(tm.ALERT_CLAIM_ITEM) == 20 + 32 + 17 + 46 + 16 + 9 == 140


def test_numbers_count_one_byte_per_two_significant_digits_plus_one():
    assert tm.ddb_number_bytes("21.5") == 3        # 3 digits
    assert tm.ddb_number_bytes("100") == 2         # trailing zeros trimmed: 1 digit
    assert tm.ddb_number_bytes("0.0012") == 2      # leading zeros trimmed: 2 digits
    assert tm.ddb_number_bytes("1767225641") == 6  # 10 digits


def test_iot_core_meters_the_topic_with_the_payload():
    """MQTT PUBLISH is metered on payload and topic bytes: devices/sensor-0001/telemetry is 29 B."""
    assert len("devices/sensor-0001/telemetry") == 29
    assert tm.telemetry_message_bytes(512) == 541
