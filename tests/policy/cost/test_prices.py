"""The price table: every price says where it comes from; overrides are checked."""

from __future__ import annotations

import json
import re

import pytest

from iot_tiers_policy.cost import PriceError, load_prices
from iot_tiers_policy.cost.prices import DEFAULT_PRICES, EC2_ON_DEMAND, Rate, arch_from_name, vcpu_from_name


def test_every_bundled_price_names_an_aws_pricing_page_and_says_whether_it_was_checked():
    doc = json.loads(DEFAULT_PRICES.read_text())
    assert doc["region"] == "us-east-1"
    for key, entry in doc["prices"].items():
        assert entry["source"].startswith("https://aws.amazon.com/"), key
        assert entry["read"] in ("2026-11-26", "2026-12-01", None), key
        # A checked price says against what; an unchecked one says that it was not re-checked.
        assert (f"read on {entry['read']}" in entry["basis"]) == (entry["read"] is not None), key
        if entry["read"] is None:
            assert "NOT re-checked" in entry["basis"], key


def test_the_ec2_dataset_is_bundled_with_its_source_date_and_licence():
    doc = json.loads(EC2_ON_DEMAND.read_text())
    assert doc["region"] == "us-east-1" and doc["count"] == len(doc["prices"]) == 1367
    assert "karpenter-provider-aws" in doc["source"] and "Apache-2.0" in doc["source"]
    assert "generated at 2026-07-20" in doc["source"] and doc["retrieved"] == "2026-12-01"
    assert doc["unit"] == "USD per instance-hour, Linux, on-demand, shared tenancy"


def test_every_instance_type_of_the_dataset_is_priced_at_its_dataset_rate(prices):
    doc = json.loads(EC2_ON_DEMAND.read_text())
    assert len(prices.instance_types()) == 1367
    for name, hourly in doc["prices"].items():
        inst = prices.instance(name)
        assert inst.on_demand_hourly == hourly, name
        assert 0 < inst.reserved.hourly < inst.on_demand_hourly or hourly == 0, name
        assert 0 < inst.spot.hourly < inst.on_demand_hourly or hourly == 0, name


def test_the_audits_reserved_rates_are_the_unrounded_ones(prices):
    """1-year standard no upfront, USD/hour (issue 13)."""
    fixed = {"t3.medium": 0.0261, "t3.large": 0.0522, "t3.xlarge": 0.1043, "t3.2xlarge": 0.2086,
             "g4dn.4xlarge": 0.759}
    for name, hourly in fixed.items():
        assert prices.instance(name).reserved == Rate(hourly, False, "the price table's 1-year no-upfront rate")


def test_a_reserved_rate_the_table_lacks_is_estimated_from_the_family_ratio_and_marked(prices):
    """m7g.4xlarge has no row: the m7g rows' median reserved / on-demand ratio times its on-demand rate."""
    doc = json.loads(DEFAULT_PRICES.read_text())
    dataset = json.loads(EC2_ON_DEMAND.read_text())["prices"]
    rows = {k: v for k, v in doc["ec2"]["instances"].items() if k.startswith("m7g.")}
    ratios = sorted(v["reserved_1y_no_upfront_hourly"] / dataset[k] for k, v in rows.items())
    median = (ratios[1] + ratios[2]) / 2 if len(ratios) == 4 else ratios[len(ratios) // 2]
    inst = prices.instance("m7g.4xlarge")
    assert inst.reserved.estimated and "m7g rows' reserved ratio" in inst.reserved.basis
    assert inst.reserved.hourly == pytest.approx(dataset["m7g.4xlarge"] * median)
    other = prices.instance("c7i.large")  # no c7i row at all: the median of every row
    assert other.reserved.estimated and "median reserved ratio" in other.reserved.basis


def test_a_family_without_a_spot_discount_gets_the_default_marked_estimated(prices):
    g6 = prices.instance("g6.xlarge")
    assert g6.spot.estimated and "default Spot discount 55%" in g6.spot.basis
    assert g6.spot.hourly == pytest.approx(g6.on_demand_hourly * 0.45)
    assert not prices.instance("g5.xlarge").spot.estimated


def test_types_without_a_row_take_architecture_and_vcpus_from_their_name(prices):
    assert [arch_from_name(t) for t in ("c7g.large", "g5g.xlarge", "im4gn.large", "a1.medium", "x2gd.large")] \
        == ["arm64"] * 5
    assert [arch_from_name(t) for t in ("g4dn.xlarge", "gr6.4xlarge", "c7i-flex.large", "p6-b200.48xlarge")] \
        == ["x86_64"] * 4
    assert [vcpu_from_name(t) for t in ("c5.large", "m5.xlarge", "m5.24xlarge", "m6g.medium", "t3a.medium",
                                        "c5.metal")] == [2, 4, 96, 1, None, None]
    assert prices.instance("c5.24xlarge").vcpu == 96
    assert prices.instance("c5.24xlarge").shape_basis == "inferred from the name"


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


def test_a_price_file_adds_a_type_the_dataset_lacks_only_with_its_on_demand_rate(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"ec2": {"instances": {"x9.huge": {"vcpu": 8, "memory_gib": 16}}}}))
    with pytest.raises(PriceError, match=r"ec2.instances.x9.huge: not in the bundled EC2 dataset.*needs on_demand_hourly"):
        load_prices(path)
    path.write_text(json.dumps({"ec2": {"instances": {"x9.huge": {"on_demand_hourly": 1.5}}}}))
    inst = load_prices(path).instance("x9.huge")
    assert inst.on_demand_hourly == 1.5 and inst.reserved.estimated
