"""Diffs of two estimates: resources matched by type and name, each change with its delta and reason."""

from __future__ import annotations

import pytest

from iot_tiers_policy.cost import ResourceView, Traffic, estimate
from iot_tiers_policy.cost.diff import compare

FN, INSTANCE = "aws:lambda/function:Function", "aws:ec2/instance:Instance"


def doc(*views, traffic=None, usage=None):
    from iot_tiers_policy.cost import Usage

    return estimate(list(views), traffic or Traffic(), usage=Usage(usage) if usage else None).as_json()


def v(typ, name, props):
    return ResourceView(f"urn:{name}", typ, name, props)


def test_a_changed_instance_type_is_a_change_with_its_reason_and_delta():
    """t3.micro -> t3.large: 730 x ($0.0832 - $0.0104) = +$53.144."""
    before = doc(v(INSTANCE, "web", {"instanceType": "t3.micro"}))
    after = doc(v(INSTANCE, "web", {"instanceType": "t3.large"}))
    d = compare(before, after)
    (c,) = d.changes
    assert (c.change, c.reasons) == ("changed", ["instance_type t3.micro -> t3.large"])
    assert c.delta == pytest.approx(53.144, abs=0.01) and d.delta == pytest.approx(53.144, abs=0.01)  # totals are to the cent


def test_added_and_removed_resources_carry_their_whole_cost():
    before = doc(v(INSTANCE, "old", {"instanceType": "t3.micro"}))
    after = doc(v(INSTANCE, "new", {"instanceType": "t3.small"}), v("aws:iam/role:Role", "free-role", {}))
    changes = {c.name: c for c in compare(before, after).changes}
    assert set(changes) == {"old", "new"}  # a free resource added is no cost change
    assert changes["old"].change == "removed" and changes["old"].after == 0
    assert changes["new"].change == "added" and changes["new"].before == 0


def test_a_cost_that_moves_with_the_traffic_says_which_assumption_moved():
    fn = v(FN, "cron", {"memorySize": 128})
    usage = {"resource_usage": {"cron": {"monthly_requests": 1e6}}}
    d = compare(doc(fn, usage=usage), doc(fn, usage=usage, traffic=Traffic(log_bytes_per_invocation=4000)))
    (c,) = d.changes
    assert c.reasons == ["traffic: trafficLogBytesPerInvocation 400 -> 4,000"]
    assert d.assumptions == {"trafficLogBytesPerInvocation": (400, 4000)}


def test_a_saved_estimate_of_the_older_format_compares_by_its_items():
    after = doc(v(INSTANCE, "web", {"instanceType": "t3.micro"}))
    older = {"total_usd": 0.0, "region": "us-east-1", "items": [], "assumptions": after["assumptions"]}
    (c,) = compare(older, after).changes
    assert c.change == "added" and c.name == "web"


def test_an_older_estimate_without_drivers_blames_the_model_not_every_driver():
    after = doc(v(INSTANCE, "web", {"instanceType": "t3.micro"}))
    older = {"total_usd": 0.0, "region": "us-east-1", "assumptions": after["assumptions"],
             "items": [dict(i, usd=1.0) for i in after["items"]]}
    (c,) = compare(older, after).changes
    assert c.change == "changed" and c.reasons == ["prices or the cost model changed"]
