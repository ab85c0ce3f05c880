"""DynamoDB pricer: the handler's writes and alert markers, storage and PITR from its items."""

from __future__ import annotations

import pytest

from .pricer_support import priced, resource, usd, view
from .processing_stack import TABLE, processing


def test_writes_are_the_readings_plus_two_marker_writes_per_alert():
    """43.8M readings x 1 WRU (83 B) + 43,800 alerts x 2 (claim 140 B, sent marker 199 B: 1 WRU each)
    = 43,887,600 WRU x $0.625/M = $27.42975."""
    t = resource(priced(*processing()), "table")
    assert t.items[0].quantity == 43_887_600
    assert t.items[0].usd == pytest.approx(27.42975)


def test_storage_and_pitr_come_from_the_items_ttl_keeps_with_their_100_byte_overhead():
    """1,440,000 readings a day x 90 days x (83 + 100) B = 23.7168 GB; 1,440 alerts a day x 90 x (199 + 100) B
    = 0.0387504 GB: 23.7555504 GB x $0.25 = $5.9388876, PITR x $0.20 = $4.75111 (not payload + 100 B:
    612 B x 129.6M = 79.3 GB)."""
    t = resource(priced(*processing(table={"billingMode": "PAY_PER_REQUEST",
                                            "pointInTimeRecovery": {"enabled": True}})), "table")
    storage, pitr = t.items[1], t.items[2]
    assert storage.quantity == pytest.approx(23.7555504)
    assert storage.usd == pytest.approx(5.9388876)
    assert pitr.usd == pytest.approx(4.75111008)


def test_ttl_days_of_the_function_set_how_long_items_are_kept():
    t = resource(priced(*processing(ttl="30")), "table")
    assert t.items[1].quantity == pytest.approx(23.7555504 / 3)


def test_a_provisioned_table_pays_its_capacity_whatever_the_traffic():
    """The provider's default billing mode is PROVISIONED: 20 WCU x 730 x $0.00065 = $9.49,
    30 RCU x 730 x $0.00013 = $2.847, plus the storage the handler's items take."""
    t = resource(priced(*processing(table={"writeCapacity": 20, "readCapacity": 30})), "table")
    assert [round(i.usd, 3) for i in t.items[:2]] == [9.49, 2.847]
    assert t.items[2].price_key == "dynamodb.storage.gb_month"


def test_a_provisioned_table_without_capacity_or_with_an_unknown_mode_is_unpriced_with_the_reason():
    est = priced(view(TABLE, "a", {}), view(TABLE, "b", {"billingMode": "ON_DEMAND"}))
    assert resource(est, "a").status == "unpriced" and "needs readCapacity and writeCapacity" in resource(est, "a").reason
    assert "billingMode='ON_DEMAND': allowed values are PAY_PER_REQUEST, PROVISIONED" in resource(est, "b").reason


def test_usage_overrides_a_tables_storage():
    est = priced(view(TABLE, "t", {"billingMode": "PAY_PER_REQUEST"}),
                 usage={"resource_usage": {"t": {"storage_gb": 100, "monthly_read_request_units": 8e6}}})
    t = resource(est, "t")
    assert usd(t.items) == pytest.approx(100 * 0.25 + 8 * 0.125)
