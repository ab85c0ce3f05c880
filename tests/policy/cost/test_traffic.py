"""Traffic assumptions: one definition for the stack config rows and the budget policy."""

from __future__ import annotations

import pytest

from iot_tiers.components.config import traffic as traffic_rows
from iot_tiers_policy.cost import FIELDS, Traffic


def test_defaults_are_the_seeds_example_fleet_of_500_devices_every_30_seconds():
    t = Traffic()
    assert (t.devices, t.messages_per_device_per_hour) == (500, 120)
    assert t.messages_per_day == 1_440_000
    assert t.messages_per_month == 43_800_000  # 730-hour month (43.2M on a 30-day month)


def test_stack_config_values_are_parsed_from_pulumis_strings_in_any_listed_namespace():
    t = Traffic.from_config({"iot-tiers:trafficDevices": "5000", "fleet:trafficPayloadBytes": "2048",
                             "other:trafficDevices": "1", "iot-tiers:processingMemoryMb": "512"},
                            namespaces=("iot-tiers", "fleet"))
    assert (t.devices, t.payload_bytes) == (5000, 2048)
    assert t.messages_per_device_per_hour == 120


def test_bad_values_are_all_reported_with_key_value_and_allowed_range():
    with pytest.raises(ValueError) as exc:
        Traffic.from_config({"trafficDevices": "lots", "trafficConnectedPercent": 150, "trafficPayloadBytes": True})
    text = str(exc.value)
    assert "trafficDevices='lots': expected a whole number from 0 to 10,000,000" in text
    assert "trafficConnectedPercent=150 is out of range: expected a whole number from 0 to 100" in text
    assert "trafficPayloadBytes=True" in text


def test_the_settings_table_rows_are_built_from_the_same_fields():
    rows = {s.key: s for s in traffic_rows.SETTINGS}
    assert list(rows) == [f.key for f in FIELDS]
    for f in FIELDS:
        row = rows[f.key]
        assert row.tier == "traffic"
        assert row.full_key == f"iot-tiers:{f.key}"
        assert row.default == f.default
        assert row.validate(row.parse(str(f.default))) is None
        assert row.validate(int(f.hi) + 1) == f.allowed
