"""The price table: every price says where it comes from; overrides are checked."""

from __future__ import annotations

import json
import re

import pytest

from iot_tiers_policy.cost import PriceError, load_prices
from iot_tiers_policy.cost.prices import DEFAULT_PRICES


def test_every_bundled_price_names_an_aws_pricing_page_and_says_whether_it_was_checked():
    doc = json.loads(DEFAULT_PRICES.read_text())
    assert doc["region"] == "us-east-1"
    for key, entry in doc["prices"].items():
        assert entry["source"].startswith("https://aws.amazon.com/"), key
        assert entry["read"] in ("2026-11-26", None), key
        # A checked price says against what; an unchecked one says that it was not re-checked.
        assert ("read on 2026-11-26" in entry["basis"]) == (entry["read"] is not None), key
        if entry["read"] is None:
            assert "NOT re-checked" in entry["basis"], key


def test_the_bundled_table_prices_every_instance_family_the_tiers_allow(prices):
    families = {t.split(".")[0] for t in prices.instance_types()}
    assert {"t3", "t4g", "m6g", "m7g", "c6g", "c7g", "r6g", "g4dn", "g5", "inf2"} <= families
    for name in prices.instance_types():
        inst = prices.instance(name)
        assert inst.reserved_1y_no_upfront_hourly < inst.on_demand_hourly, name
        assert 0 < prices.spot_discount(name) < 1, name


def test_a_price_file_overrides_the_region_and_single_prices(tmp_path):
    path = tmp_path / "eu-west-1.json"
    path.write_text(json.dumps({
        "region": "eu-west-1",
        "prices": {"fargate.vcpu_hour.x86_64": {"usd": 0.04456, "source": "https://aws.amazon.com/fargate/pricing/",
                                                "read": "2026-11-26"}},
        "ec2": {"instances": {"t3.medium": {"on_demand_hourly": 0.0456}}},
    }))
    table = load_prices(path)
    assert table.region == "eu-west-1"
    assert table.price("fargate.vcpu_hour.x86_64").usd == 0.04456
    assert table.price("fargate.gb_hour.x86_64").usd == 0.004445  # untouched: from the bundled table
    assert table.instance("t3.medium").on_demand_hourly == 0.0456
    assert table.instance("t3.medium").vcpu == 2


def test_a_flat_override_of_a_tiered_price_replaces_its_tiers(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"prices": {"iot.messaging": {"usd": 0.5}}}))
    assert load_prices(path).cost("iot.messaging", 2e9) == pytest.approx(1000.0)


def test_a_misspelt_price_key_is_refused_with_the_closest_known_key(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"prices": {"lambda.request": {"usd": 0.1}}}))
    with pytest.raises(PriceError, match=re.escape("prices.lambda.request is not a known price (did you mean 'lambda.requests'?")):
        load_prices(path)


def test_a_negative_price_is_refused_naming_the_entry(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"prices": {"sqs.standard.requests": {"usd": -1}}}))
    with pytest.raises(PriceError, match=r"prices\.sqs\.standard\.requests\.usd=-1: must be a number >= 0"):
        load_prices(path)


def test_a_price_file_that_is_not_json_or_missing_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{region: us")
    with pytest.raises(PriceError, match="is not valid JSON"):
        load_prices(bad)
    with pytest.raises(PriceError, match="does not exist"):
        load_prices(tmp_path / "absent.json")
