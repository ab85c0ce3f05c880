"""Estimating a captured stack: per-tier line items for the fleet test program.

tests/policy/cost/programs/fleet, stack 'test': 1,000 devices x 60 msg/hour x 730 h =
M = 43,800,000 messages a month (16.667 a second), 512-byte payloads, 1% of them alerts;
every other assumption at its default. The expected subtotals, by hand from AWS's
billing rules:

processing (IoT rule -> SQS -> Lambda, batch 100 with a 1 s window, 256 MB arm64 -> DynamoDB + SNS)
  IoT Core: rule 43.8M x $0.15/M = $6.57; 1 action $6.57; connectivity 1,000 devices x 43,800 min
            = 43.8M min x $0.08/M = $3.504; publishes of 29 B topic + 512 B (one 5 KB meter) $43.80
  Lambda:   a batch closes after the 1 s window at 16.667 messages, not 100: 2,628,000 invocations
            x $0.20/M = $0.5256; 50 + 2 x 16.667 = 83.33 ms, billed 84, x 0.25 GB = 55,188 GB-s
            x $0.0000133334 = $0.735844; logs 2,628,000 x 400 B = 1.0512 GB x $0.50 = $0.5256
  SQS:      43.8M sends + 2 receives and 2 deletes a batch (10 + 6.67 messages): 5,256,000 each;
            the function keeps 2,628,000 x 83.33 ms / 2,628,000 s = 0.0833 poller busy, so 4.9167 idle
            x 3 polls/min x 43,800 min = 646,050: 54,958,050 x $0.40/M = $21.98322
  DynamoDB: 43.8M items of 83 B (1 WRU) + 438,000 alerts x 2 marker writes = 44,676,000 WRU x $0.625/M
            = $27.9225; storage: 1,440,000 a day x 30 days (TTL_DAYS) x (83 + 100) B = 7.9056 GB
            + 14,400 alerts a day x 30 x (199 + 100) B = 0.129168 GB = 8.034768 GB x $0.25 = $2.008692;
            PITR x $0.20 = $1.6069536
  SNS:      438,000 publishes x $0.50/M = $0.219;  KMS key $1;  one alarm $0.10
  subtotal $117.0714096
realtime (2 Fargate tasks 0.5 vCPU / 1 GB arm64, an internet-facing ALB in 2 subnets)
  Fargate:  730 vCPU-h x $0.03238 = $23.6374; 1,460 GB-h x $0.00356 = $5.1976
  ALB:      730 h x $0.0225 = $16.425; 10 dashboards x 60 msg/min x 512 B = 0.018432 GB/h
            -> 0.018432 LCU x 730 x $0.008 = $0.10764; 2 public IPv4 x 730 x $0.005 = $7.30;
            13.45536 GB out x $0.09 = $1.21098
  subtotal $53.87862
heavy-compute (broker): t4g.medium 730 x $0.0336 = $24.528; 30 GB gp3 x $0.08 = $2.40 -> $26.928
shared: NAT 730 x $0.045 = $32.85 + 5 GB x $0.045 = $0.225 + its address (an allocation id, no Eip in
        the stack) 730 x $0.005 = $3.65; 5 custom metrics x $0.30 = $1.50 -> $38.225
total $236.1030296
"""

from __future__ import annotations

import pytest

from iot_tiers.offline.costing import estimate_capture, traffic_from_capture
from iot_tiers.offline.harness import run_stack
from iot_tiers_policy.cost import ResourceView, Traffic, estimate, from_captured


def test_fleet_stack_subtotals_per_tier_match_the_hand_computed_ones(fleet):
    est = estimate_capture(fleet)
    assert est.tiers() == pytest.approx({
        "processing": 117.0714096,
        "realtime": 53.87862,
        "heavy-compute (broker)": 26.928,
        "shared": 38.225,
    }, abs=1e-4)
    assert est.total == pytest.approx(236.1030296, abs=1e-4)
    assert list(est.tiers())[-1] == "shared"


def test_the_stack_config_sets_the_traffic_and_the_rest_are_defaults(fleet):
    t = traffic_from_capture(fleet)
    assert (t.devices, t.messages_per_device_per_hour, t.alerts_per_million) == (1000, 60, 10_000)
    assert t.payload_bytes == Traffic().payload_bytes


def test_telemetry_reaches_the_function_through_the_rule_queue_and_event_source(fleet):
    est = estimate_capture(fleet)
    fn = [i for i in est.items if i.resource == "function" and i.service == "Lambda"]
    assert fn[0].quantity == pytest.approx(2_628_000)
    assert fn[0].note.startswith("2,628,000 invocations of 16.7 message(s): batches close at 100 messages or after "
                                 "the 1 s window")
    dlq = [i for i in est.items if i.resource == "dlq"]
    assert [i.usd for i in dlq] == [0]  # the rule's error action is not telemetry


def test_more_devices_cost_more_in_the_processing_tier_only(fleet):
    base = estimate_capture(fleet)
    double = estimate_capture(fleet, traffic=Traffic(devices=2000, messages_per_device_per_hour=60,
                                                     alerts_per_million=10_000))
    assert double.tiers()["processing"] > 1.9 * base.tiers()["processing"] - 1.5  # fixed: key, alarm, idle polls
    assert double.tiers()["realtime"] == pytest.approx(base.tiers()["realtime"])
    assert double.tiers()["heavy-compute (broker)"] == pytest.approx(base.tiers()["heavy-compute (broker)"])


def test_a_stack_without_traffic_keys_is_priced_for_the_default_fleet(fleet_dir):
    est = estimate_capture(run_stack(fleet_dir, "defaults"))
    assert est.traffic == Traffic()
    rule = [i for i in est.items if i.item.startswith("device publishes")]
    assert rule[0].quantity == 43_800_000


def test_bad_traffic_values_in_the_stack_file_name_the_keys(fleet_dir):
    capture = run_stack(fleet_dir, "badtraffic")
    with pytest.raises(ValueError, match=r"trafficDevices='lots'.*\n.*trafficConnectedPercent='150' is out of range"):
        traffic_from_capture(capture)


def test_a_stack_without_tier_components_is_grouped_by_service(prices):
    views = [ResourceView("urn:q", "aws:kms/key:Key", "k", {}),
             ResourceView("urn:v", "awsx:ec2:Vpc", "vpc", {"natGateways": {"strategy": "Single"}})]
    est = estimate(views, Traffic(), prices)
    assert est.tiers() == pytest.approx({"KMS": 1.0, "VPC": 36.725})
    assert [r.tier for r in est.resources] == ["KMS", "VPC"]


def test_an_awsx_vpc_with_the_default_nat_strategy_pays_a_nat_gateway_per_az(prices):
    """awsx's default is OnePerAz over 3 AZs: 3 x ($32.85 + $3.65) + the 5 GB they carry together x $0.045
    = $109.725 (the data is not multiplied by the gateways)."""
    est = estimate([ResourceView("urn:v", "awsx:ec2:Vpc", "vpc", {})], Traffic(), prices)
    assert est.total == pytest.approx(109.725)


def test_captured_inputs_and_policy_pack_props_give_the_same_estimate(fleet, prices):
    """The pack sees outputs; the harness records inputs and outputs: both shapes must price alike."""
    from .cost_support import policy_resources

    a = estimate(from_captured(fleet.resources), Traffic(devices=1000, messages_per_device_per_hour=60), prices)
    b = estimate(policy_resources(fleet), Traffic(devices=1000, messages_per_device_per_hour=60), prices)
    assert b.tiers() == pytest.approx(a.tiers())


def test_the_repos_dev_stack_is_priced_per_tier_from_its_own_components(dev_stack):
    """The lead's components carry the tier types the estimator groups by; the telemetry
    function is invoked once per SQS batch of the stack's processingBatchSize."""
    est = estimate_capture(dev_stack)
    assert {"processing", "realtime", "network"} <= set(est.tiers())
    assert any(t.startswith("heavy-compute") for t in est.tiers())
    batch = int(dev_stack.config["iot-tiers:processingBatchSize"])
    window = float(dev_stack.config["iot-tiers:processingBatchWindowS"])
    per_second = est.traffic.messages_per_month / (730 * 3600)
    fn = next(i for i in est.items if i.service == "Lambda" and i.item == "requests"
              and i.resource == "processing-function")
    assert fn.quantity == pytest.approx(est.traffic.messages_per_month / min(batch, per_second * window), abs=1)


def test_the_json_lists_every_resource_priced_or_not_with_the_reason_when_not(fleet):
    doc = estimate_capture(fleet).as_json()
    assert len(doc["resources"]) == len([r for r in fleet.resources if not r.type.startswith("pulumi:")]) + 1
    statuses = {r["name"]: r["status"] for r in doc["resources"]}
    assert statuses["function"] == "priced" and statuses["role"] == "free" and statuses["processing"] == "component"
    assert statuses["dlq"] == "usage-based"
    assert all(r.get("reason") for r in doc["resources"] if r["status"] not in ("priced",))
    assert doc["complete"] is True and doc["ec2_prices"]["retrieved"] == "2026-12-01"


def test_a_stack_in_another_region_says_so_on_its_estimate(fleet_dir):
    est = estimate_capture(run_stack(fleet_dir, "euwest"))
    assert est.stack_region == "eu-west-1"
    assert est.warnings[0].startswith("the stack deploys to eu-west-1, but these are us-east-1 list prices")
