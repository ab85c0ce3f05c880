"""The budget policy's verdicts, driven through pulumi_policy's analyzer (Configure + AnalyzeStack).

The fleet stack costs $236.10 a month for 1,000 devices at 60 msg/hour with 1% alerts
(see test_estimate.py for the arithmetic); the policy config below gives the pack
the same traffic, so the pack and `tiers cost` agree on the figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from iot_tiers_policy.budget import COMPLETE, NAME, POLICIES, check_budget

from .cost_support import analyze_stack, policy_resources
from support import REPO_ROOT

FLEET_TRAFFIC = {"trafficDevices": 1000, "trafficMessagesPerDevicePerHour": 60, "trafficAlertsPerMillion": 10000}


def test_over_budget_in_prod_is_a_mandatory_violation_naming_total_budget_and_tiers(fleet):
    config = {NAME: {"enforcementLevel": "mandatory", "monthlyBudgetUsd": 200, **FLEET_TRAFFIC}}
    diags = analyze_stack(POLICIES, fleet, config)
    assert len(diags) == 1  # and the estimate is complete: no cost-estimate-complete diagnostic
    d = diags[0]
    assert (d["policy"], d["level"], d["urn"]) == (NAME, "mandatory", "")
    assert "estimated $236.10/month exceeds the budget of $200.00/month (by $36.10)" in d["message"]
    assert "By tier: processing $117.07, realtime $53.88, shared $38.23, heavy-compute (broker) $26.93" in d["message"]
    assert "Largest items: rule IoT Core device publishes" in d["message"]
    # the EC2 rates' source and date travel with the verdict that uses them
    assert "EC2 on-demand: 1,367 us-east-1 Linux rates from aws/karpenter-provider-aws" in d["message"]


def test_within_budget_there_is_no_violation(fleet):
    assert analyze_stack(POLICIES, fleet, {NAME: {"enforcementLevel": "mandatory", "monthlyBudgetUsd": 250,
                                                 **FLEET_TRAFFIC}}) == []


def test_without_a_budget_the_policy_has_nothing_to_check(fleet):
    assert analyze_stack(POLICIES, fleet, {NAME: {"enforcementLevel": "mandatory"}}) == []
    assert analyze_stack(POLICIES, fleet, {}) == []


def test_the_policy_is_advisory_unless_the_environment_config_makes_it_mandatory(fleet):
    diags = analyze_stack(POLICIES, fleet, {NAME: {"monthlyBudgetUsd": 100, **FLEET_TRAFFIC}})
    assert [d["level"] for d in diags] == ["advisory"]


def test_traffic_in_the_policy_config_drives_the_estimate(fleet):
    """Twice the devices roughly doubles the processing tier: over a $300 budget."""
    base = {NAME: {"enforcementLevel": "mandatory", "monthlyBudgetUsd": 300, **FLEET_TRAFFIC}}
    assert analyze_stack(POLICIES, fleet, base) == []
    doubled = {NAME: {**base[NAME], "trafficDevices": 2000}}
    assert len(analyze_stack(POLICIES, fleet, doubled)) == 1


def test_a_bad_traffic_value_in_the_policy_config_is_reported_with_its_key(fleet):
    diags = analyze_stack(POLICIES, fleet, {NAME: {"enforcementLevel": "mandatory", "monthlyBudgetUsd": 1000,
                                                   "trafficConnectedPercent": 150}})
    assert len(diags) == 1
    assert "trafficConnectedPercent=150 is out of range" in diags[0]["message"]


def test_unknown_values_during_preview_do_not_stop_the_estimate(fleet):
    """In a real preview an ARN not yet assigned is unknown; the pack's proxy raises on reading it.
    The estimate must still route telemetry (by property dependencies) and price the stack."""
    from pulumi_policy.proxy import unknown_checking_proxy

    resources = policy_resources(fleet)
    for r in resources:
        if r.resource_type == "aws:lambda/eventSourceMapping:EventSourceMapping":
            r.props = unknown_checking_proxy({**r.props, "eventSourceArn": UNKNOWN_STRING_VALUE,
                                              "functionName": UNKNOWN_STRING_VALUE})
        else:
            r.props = unknown_checking_proxy(dict(r.props))
    config = {"monthlyBudgetUsd": 200, **FLEET_TRAFFIC}
    messages = check_budget(resources, config)
    assert len(messages) == 1 and "estimated $236.10/month" in messages[0]


def test_the_policy_config_schema_declares_the_budget_and_every_traffic_key():
    from iot_tiers_policy.cost import FIELDS

    schema = POLICIES[0].config_schema.properties
    assert schema["monthlyBudgetUsd"]["type"] == "number"
    assert {f.key for f in FIELDS} <= set(schema)
    assert all(p.name.startswith("cost-") for p in POLICIES)


@pytest.mark.parametrize("unknowns", ["known", "first-preview"])
def test_the_published_pack_run_as_the_cli_runs_it_blocks_an_over_budget_stack(fleet_dir, tmp_path, unknowns):
    """The whole path: the pack started as a plugin (iot_tiers.offline.analyzer), configured from a
    policy config file like policies/config/prod.json, AnalyzeStack over the captured stack;
    on a first preview the ARNs are unknown and the estimate must not change."""
    import json

    from iot_tiers.offline.preflight import run_preview

    config = tmp_path / "prod.json"
    config.write_text(json.dumps({NAME: {"enforcementLevel": "mandatory", "monthlyBudgetUsd": 200, **FLEET_TRAFFIC}}))
    result = run_preview(fleet_dir, "test", pack_dir=REPO_ROOT / "policies",
                         policy_config=config, unknowns=unknowns)
    ours = [v for v in result.violations if v.policy == NAME]
    assert len(ours) == 1
    assert ours[0].level == "mandatory"
    assert "estimated $236.10/month exceeds the budget of $200.00/month" in ours[0].message


def test_an_incomplete_estimate_is_reported_advisory_with_what_is_missing_and_the_bound(fleet):
    """An instance type without a price and an RDS instance (no price model): the estimate says how much it
    leaves out (the dearest m7g type's month for the first; an unknown amount for the second)."""
    from dataclasses import replace

    extra = [replace(fleet.resources[-1], urn="urn:pulumi:test::fleet-test::aws:ec2/instance:Instance::future",
                     type="aws:ec2/instance:Instance", name="future", inputs={"instanceType": "m7g.64xlarge"},
                     outputs={}, property_dependencies={}, dependencies=[], parent=""),
             replace(fleet.resources[-1], urn="urn:pulumi:test::fleet-test::aws:rds/instance:Instance::db",
                     type="aws:rds/instance:Instance", name="db", inputs={"instanceClass": "db.t3.micro"},
                     outputs={}, property_dependencies={}, dependencies=[], parent="")]
    capture = replace(fleet, resources=fleet.resources + extra)
    diags = [d for d in analyze_stack(POLICIES, capture, {}) if d["policy"] == COMPLETE]
    assert {d["level"] for d in diags} == {"advisory"}
    stack = next(d for d in diags if not d["urn"])
    assert "is incomplete: 2 resource(s) could not be priced, so it could be low by an unknown amount" in stack["message"]
    assert "future (aws:ec2/instance:Instance): no price for EC2 instance type 'm7g.64xlarge'" in stack["message"]
    assert "db (aws:rds/instance:Instance): no price model for aws:rds/instance:Instance yet" in stack["message"]
    assert {d["urn"] for d in diags if d["urn"]} == {extra[0].urn, extra[1].urn}


def test_a_budget_verdict_over_an_incomplete_estimate_says_it_is_incomplete(fleet):
    from dataclasses import replace

    extra = replace(fleet.resources[-1], urn="urn:pulumi:test::fleet-test::aws:rds/instance:Instance::db",
                    type="aws:rds/instance:Instance", name="db", inputs={}, outputs={}, property_dependencies={},
                    dependencies=[], parent="")
    messages = check_budget(policy_resources(replace(fleet, resources=fleet.resources + [extra])),
                            {"monthlyBudgetUsd": 100, **FLEET_TRAFFIC})
    assert "Incomplete: 1 resource(s) not priced, so the total could be higher by an unknown amount" in messages[0]
