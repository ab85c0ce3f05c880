"""EBS and DLM pricers: volumes by type, and the snapshots a lifecycle policy keeps."""

from __future__ import annotations

import pytest

from .pricer_support import priced, resource, usd, view

VOLUME, DLM = "aws:ebs/volume:Volume", "aws:dlm/lifecyclePolicy:LifecyclePolicy"
TAGS = {"backup": "daily"}


def policy(create, retain, **details):
    return view(DLM, "snapshots", {"state": "ENABLED", "policyDetails": {
        "policyType": "EBS_SNAPSHOT_MANAGEMENT", "resourceTypes": ["VOLUME"], "targetTags": TAGS,
        "schedules": [{"createRule": create, "retainRule": retain}], **details}})


def test_an_io2_volume_of_500_gb_with_10000_iops_is_712_50():
    v = resource(priced(view(VOLUME, "db", {"type": "io2", "size": 500, "iops": 10_000})), "db")
    assert usd(v.items) == pytest.approx(712.50)


def test_a_volume_without_a_type_is_gp2_the_providers_default():
    v = resource(priced(view(VOLUME, "v", {"size": 10})), "v")
    assert (v.drivers["volume_type"], usd(v.items)) == ("gp2", pytest.approx(1.0))


def test_bad_volumes_are_unpriced_with_the_reason():
    est = priced(view(VOLUME, "gp4", {"type": "gp4", "size": 10}), view(VOLUME, "io1", {"type": "io1", "size": 10}),
                 view(VOLUME, "nosize", {"type": "gp3"}))
    assert "priced types are gp2, gp3, io1, io2, st1, sc1, standard" in resource(est, "gp4").reason
    assert "needs provisioned iops" in resource(est, "io1").reason
    assert "no size" in resource(est, "nosize").reason


def test_a_policy_every_12_hours_keeping_14_holds_the_volume_once_and_13_increments():
    """200 GB tagged volume, 2% rewritten a day (the default): 200 + 13 x 2 GB = 226 GB x $0.05 = $11.30."""
    est = priced(view(VOLUME, "data", {"size": 200, "type": "gp3", "tags": TAGS}),
                 view(VOLUME, "other", {"size": 500, "tags": {"backup": "never"}}),
                 policy({"interval": 12, "intervalUnit": "HOURS"}, {"count": 14}))
    p = resource(est, "snapshots")
    assert len(p.items) == 1 and p.items[0].quantity == 226
    assert p.items[0].usd == pytest.approx(11.30)


def test_retention_by_age_and_the_usage_of_the_volumes_set_what_is_kept():
    """Daily, kept 7 days: 7 snapshots; 50% used (100 GB), 10% a day changed (20 GB, capped at the used 100):
    100 + 6 x 20 = 220 GB x $0.05 = $11.00."""
    est = priced(view(VOLUME, "data", {"size": 200, "tags": TAGS}),
                 policy({"interval": 24, "intervalUnit": "HOURS"}, {"interval": 7, "intervalUnit": "DAYS"}),
                 usage={"resource_usage": {"snapshots": {"used_percent": 50, "daily_change_percent": 10}}})
    assert resource(est, "snapshots").items[0].usd == pytest.approx(11.00)


def test_a_disabled_policy_or_one_without_targets_costs_nothing():
    off = view(DLM, "off", {"state": "DISABLED"})
    none = policy({"interval": 24}, {"count": 7})
    est = priced(off, none)
    assert resource(est, "off").status == "free" and resource(est, "snapshots").status == "free"
