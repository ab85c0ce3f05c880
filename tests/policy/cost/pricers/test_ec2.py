"""EC2 pricers: any of the 1,367 bundled instance types, purchase options, monitoring, volumes."""

from __future__ import annotations

import json

import pytest

from iot_tiers_policy.cost.prices import EC2_ON_DEMAND

from .pricer_support import priced, resource, view

INSTANCE, ASG, LT = "aws:ec2/instance:Instance", "aws:autoscaling/group:Group", "aws:ec2/launchTemplate:LaunchTemplate"
DATASET = json.loads(EC2_ON_DEMAND.read_text())["prices"]


def test_every_instance_type_of_the_dataset_prices_a_stack():
    """One instance of each of the 1,367 types: each one's hours are 730 x its dataset rate."""
    views = [view(INSTANCE, t, {"instanceType": t, "rootBlockDevice": {"volumeSize": 8}}) for t in DATASET]
    est = priced(*views)
    assert est.unpriced() == []
    for r in est.resources:
        assert r.items[0].usd == pytest.approx(730 * DATASET[r.name]), r.name


def test_an_instance_pays_hours_root_and_extra_volumes_and_detailed_monitoring():
    """c7i.large (no row in the table, priced from the dataset): 730 x rate; 30 GB gp3 root x $0.08 = $2.40;
    a 100 GB st1 volume x $0.045 = $4.50; detailed monitoring 7 metrics x $0.30 = $2.10."""
    i = resource(priced(view(INSTANCE, "i", {"instanceType": "c7i.large", "monitoring": True,
                                             "rootBlockDevice": {"volumeSize": 30, "volumeType": "gp3"},
                                             "ebsBlockDevices": [{"volumeSize": 100, "volumeType": "st1"}]})), "i")
    assert [round(x.usd, 4) for x in i.items] == [round(730 * DATASET["c7i.large"], 4), 2.40, 4.50, 2.10]
    assert "(estimated)" in i.items[0].note  # its reserved rate has no row: estimated, and said so


def test_an_instance_with_spot_market_options_or_a_usage_purchase_option_is_priced_so():
    """t3.medium spot at 65% off: 730 x $0.0416 x 0.35 = $10.6288; reserved by the usage file: 730 x $0.0261."""
    spot = resource(priced(view(INSTANCE, "s", {"instanceType": "t3.medium", "instanceMarketOptions": {
        "marketType": "spot"}, "rootBlockDevice": {"volumeSize": 8}})), "s")
    assert spot.items[0].usd == pytest.approx(10.6288)
    ri = resource(priced(view(INSTANCE, "r", {"instanceType": "t3.medium"}),
                         usage={"resource_usage": {"r": {"purchase_option": "reserved"}}}), "r")
    assert ri.items[0].usd == pytest.approx(730 * 0.0261)


def test_an_estimated_rate_is_marked_on_its_item_and_in_the_warnings():
    est = priced(view(INSTANCE, "r", {"instanceType": "c7i.large"}),
                 usage={"resource_usage": {"r": {"purchase_option": "reserved"}}})
    item = resource(est, "r").items[0]
    assert item.estimated and "median reserved ratio" in item.basis
    assert any("use estimated rates" in w for w in est.warnings)
    assert est.as_json()["items"][0]["estimated"] is True


def test_an_unknown_instance_type_is_unpriced_with_the_dearest_of_its_family_as_bound():
    est = priced(view(INSTANCE, "future", {"instanceType": "m7g.64xlarge"}),
                 view(INSTANCE, "typo", {"instanceType": "x9.huge"}), view(INSTANCE, "ok", {"instanceType": "t3.micro"}))
    future = resource(est, "future")
    dearest = max(v for k, v in DATASET.items() if k.startswith("m7g."))
    assert future.status == "unpriced" and "no price for EC2 instance type 'm7g.64xlarge'" in future.reason
    assert future.bound_usd == pytest.approx(730 * dearest)
    assert resource(est, "typo").bound_usd is None
    assert est.unpriced_bound() is None
    assert resource(est, "ok").status == "priced"


def test_a_mixed_group_buys_its_base_on_demand_and_the_rest_on_the_cheapest_spot_pool():
    """desired 3, base 1 on-demand, 0% above: 1 x g5.xlarge on-demand ($1.006 x 730 = $734.38) + 2 on Spot
    at the cheapest of g5.xlarge (60% off: $0.4024) and g4dn.xlarge (65% off: $0.526 x 0.35 = $0.1841):
    2 x 730 x $0.1841 = $268.786; 3 x 100 GB gp3 = $24; detailed monitoring 3 x $2.10 = $6.30."""
    lt = view(LT, "lt", {"monitoring": {"enabled": True},
                         "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 100}}]})
    asg = view(ASG, "gpu", {"desiredCapacity": 3, "mixedInstancesPolicy": {
        "instancesDistribution": {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBaseCapacity": 0},
        "launchTemplate": {"overrides": [{"instanceType": "g5.xlarge"}, {"instanceType": "g4dn.xlarge"}]}}},
        deps={"mixedInstancesPolicy": [(LT, "lt")]})
    g = resource(priced(lt, asg), "gpu")
    assert [round(i.usd, 3) for i in g.items] == [734.38, round(2 * 730 * 0.526 * 0.35, 3), 24.0, 6.3]


def test_a_group_whose_launch_template_is_not_in_the_stack_is_unpriced():
    g = resource(priced(view(ASG, "g", {"desiredCapacity": 1, "launchTemplate": {"id": "lt-123"}})), "g")
    assert g.status == "unpriced" and "no instance type found" in g.reason
