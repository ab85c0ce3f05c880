"""The registry: one pricer per type, one module per service, and every resource listed, priced or not."""

from __future__ import annotations

import pkgutil

import pytest

from iot_tiers_policy.cost import UsageError, pricers
from iot_tiers_policy.cost.registry import FREE, PRICERS, load, pricer

from .pricer_support import priced, resource, view


def test_every_pricer_module_registers_its_types_and_no_type_is_both_priced_and_free():
    load()
    modules = {m.name for m in pkgutil.iter_modules(pricers.__path__)}
    assert {"lambda_", "sqs", "dynamodb", "sns", "iot", "ecs", "ec2", "ebs", "dlm", "elb", "vpc", "cloudwatch", "kms",
            "secrets", "storage", "free"} <= modules
    assert {p.fn.__module__.rsplit(".", 1)[1] for p in PRICERS.values()} == modules - {"free"}
    assert not set(PRICERS) & set(FREE)


def test_a_type_without_a_price_model_is_listed_unpriced_and_a_non_aws_resource_free():
    est = priced(view("aws:rds/instance:Instance", "db", {"instanceClass": "db.t3.micro"}),
                 view("random:index/randomPassword:RandomPassword", "pw", {}))
    assert resource(est, "db").status == "unpriced"
    assert resource(est, "db").reason == "no price model for aws:rds/instance:Instance yet"
    assert resource(est, "pw").status == "free"
    doc = est.as_json()
    assert doc["complete"] is False and doc["unpriced"] == {"count": 1, "bound_usd": None}
    assert [(r["name"], r["status"]) for r in doc["resources"]] == [("db", "unpriced"), ("pw", "free")]
    assert doc["resources"][0]["reason"].startswith("no price model")


def test_a_pricer_that_fails_makes_only_its_resource_unpriced():
    @pricer("test:index:Exploding")
    def explode(node, ctx):
        raise KeyError("boom")

    try:
        est = priced(view("test:index:Exploding", "x", {}), view("aws:kms/key:Key", "k", {}))
    finally:
        del PRICERS["test:index:Exploding"]
    assert resource(est, "x").status == "unpriced"
    assert "the test:index:Exploding pricer failed (KeyError: 'boom')" in resource(est, "x").reason
    assert resource(est, "k").status == "priced" and est.total == pytest.approx(1.0)


def test_a_usage_key_a_type_does_not_take_is_refused_with_the_keys_it_does():
    with pytest.raises(UsageError, match=r"usage for k \(aws:kms/key:Key\): unknown key 'monthly_request' "
                                         r"\(did you mean 'monthly_requests'\?\); this type takes: monthly_requests"):
        priced(view("aws:kms/key:Key", "k", {}), usage={"resource_usage": {"k": {"monthly_request": 5}}})
    with pytest.raises(UsageError, match=r"purchase_option='cheap': allowed values are on-demand, reserved, spot"):
        priced(view("aws:ec2/instance:Instance", "i", {"instanceType": "t3.micro"}),
               usage={"resource_usage": {"i": {"purchase_option": "cheap"}}})


def test_usage_is_type_defaults_then_wildcards_then_the_exact_name():
    views = [view("aws:s3/bucket:Bucket", n, {}) for n in ("logs-a", "logs-b", "data")]
    est = priced(*views, usage={"resource_type_default_usage": {"aws:s3/bucket:Bucket": {"storage_gb": 1}},
                                "resource_usage": {"logs-*": {"storage_gb": 10}, "logs-b": {"storage_gb": 100},
                                                   "gone": {"storage_gb": 5}}})
    assert [r.usage["storage_gb"] for r in est.resources] == [10, 100, 1]
    assert "usage file entry 'gone' matches no resource of the stack" in est.notes
