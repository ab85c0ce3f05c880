"""Estimating a captured stack: per-tier line items for the fleet test program.

tests/policy/cost/programs/fleet, stack 'test': 1,000 devices x 60 msg/hour x 730 h =
M = 43,800,000 messages a month, 512-byte payloads, 1% of them alerts; every other
assumption at its default. The expected subtotals, by hand:

processing (IoT rule -> SQS -> Lambda batch 100, 256 MB arm64 -> DynamoDB + SNS)
  IoT Core: rule 43.8M x $0.15/M = $6.57; 1 action $6.57; connectivity 1,000 devices
            x 43,800 min = 43.8M min x $0.08/M = $3.504; messages 43.8M x $1/M = $43.80
  SQS:      43.8M sends + 4.38M receives + 4.38M deletes = 52.56M x $0.40/M = $21.024
  Lambda:   438,000 invocations x $0.20/M = $0.0876; each 50 + 2 x 100 = 250 ms at
            0.25 GB: 27,375 GB-s x $0.0000133334 = $0.365; logs 438,000 x 400 B
            = 0.1752 GB x $0.50 = $0.0876
  DynamoDB: 43.8M writes of 612 B (1 WRU) x $0.625/M = $27.375; storage: 1.44M a day
            x 30 days (TTL_DAYS) x 612 B = 26.4384 GB x $0.25 = $6.6096; PITR x $0.20 = $5.28768
  SNS:      438,000 publishes x $0.50/M = $0.219;  KMS key $1;  one alarm $0.10
  subtotal $122.59948
realtime (2 Fargate tasks 0.5 vCPU / 1 GB arm64, an ALB)
  Fargate:  730 vCPU-h x $0.03238 = $23.6374; 1,460 GB-h x $0.00356 = $5.1976
  ALB:      730 h x $0.0225 = $16.425; 10 dashboards x 60 msg/min x 512 B = 0.018432 GB/h
            -> 0.018432 LCU x 730 x $0.008 = $0.10764; 13.45536 GB out x $0.09 = $1.21098
  subtotal $46.57862
heavy-compute (broker): t4g.medium 730 x $0.0336 = $24.528; 30 GB gp3 x $0.08 = $2.40 -> $26.928
shared: NAT 730 x $0.045 = $32.85 + 5 GB x $0.045 = $0.225 + IPv4 730 x $0.005 = $3.65;
        5 custom metrics x $0.30 = $1.50 -> $38.225
total $234.33110
"""

from __future__ import annotations

import pytest

from iot_tiers.offline.costing import estimate_capture, traffic_from_capture
from iot_tiers.offline.harness import run_stack
from iot_tiers_policy.cost import ResourceView, Traffic, estimate, from_captured


def test_fleet_stack_subtotals_per_tier_match_the_hand_computed_ones(fleet):
    est = estimate_capture(fleet)
    assert est.tiers() == pytest.approx({
        "processing": 122.59948,
        "realtime": 46.57862,
        "heavy-compute (broker)": 26.928,
        "shared": 38.225,
    }, abs=1e-4)
    assert est.total == pytest.approx(234.3311, abs=1e-4)
    assert list(est.tiers())[-1] == "shared"


def test_the_stack_config_sets_the_traffic_and_the_rest_are_defaults(fleet):
    t = traffic_from_capture(fleet)
    assert (t.devices, t.messages_per_device_per_hour, t.alerts_per_million) == (1000, 60, 10_000)
    assert t.payload_bytes == Traffic().payload_bytes


def test_telemetry_reaches_the_function_through_the_rule_queue_and_event_source(fleet):
    est = estimate_capture(fleet)
    fn = [i for i in est.items if i.resource == "function" and i.service == "Lambda"]
    assert fn[0].quantity == 438_000
    assert fn[0].note == "438,000 invocations of 100 message(s)"
    dlq = [i for i in est.items if i.resource == "dlq"]
    assert [i.usd for i in dlq] == [0]  # the rule's error action is not telemetry


def test_more_devices_cost_more_in_the_processing_tier_only(fleet):
    base = estimate_capture(fleet)
    double = estimate_capture(fleet, traffic=Traffic(devices=2000, messages_per_device_per_hour=60,
                                                     alerts_per_million=10_000))
    assert double.tiers()["processing"] > 1.9 * base.tiers()["processing"] - 1.2  # fixed: key + alarm
    assert double.tiers()["realtime"] == pytest.approx(base.tiers()["realtime"])
    assert double.tiers()["heavy-compute (broker)"] == pytest.approx(base.tiers()["heavy-compute (broker)"])


def test_a_stack_without_traffic_keys_is_priced_for_the_default_fleet(fleet_dir):
    est = estimate_capture(run_stack(fleet_dir, "defaults"))
    assert est.traffic == Traffic()
    rule = [i for i in est.items if i.item.startswith("messages (")]
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


def test_an_awsx_vpc_with_the_default_nat_strategy_pays_a_nat_gateway_per_az(prices):
    """awsx's default is OnePerAz over 3 AZs: 3 x ($32.85 + $0.225 + $3.65) = $110.175."""
    est = estimate([ResourceView("urn:v", "awsx:ec2:Vpc", "vpc", {})], Traffic(), prices)
    assert est.total == pytest.approx(110.175)


def test_captured_inputs_and_policy_pack_props_give_the_same_estimate(fleet, prices):
    """The pack sees outputs; the harness records inputs and outputs: both shapes must price alike."""
    from .cost_support import policy_resources

    from iot_tiers_policy.cost import from_policy_resources

    a = estimate(from_captured(fleet.resources), Traffic(devices=1000, messages_per_device_per_hour=60), prices)
    b = estimate(from_policy_resources(policy_resources(fleet)), Traffic(devices=1000, messages_per_device_per_hour=60),
                 prices)
    assert b.tiers() == pytest.approx(a.tiers())


def test_interface_endpoints_cost_per_az_and_gateway_endpoints_are_free(prices):
    """Interface endpoint in 2 subnets: 2 x 730 h x $0.01 = $14.60; an S3 gateway endpoint: $0."""
    views = [ResourceView("urn:i", "aws:ec2/vpcEndpoint:VpcEndpoint", "ecr",
                          {"vpcEndpointType": "Interface", "serviceName": "com.amazonaws.us-east-1.ecr.dkr",
                           "subnetIds": ["subnet-a", "subnet-b"]}),
             ResourceView("urn:g", "aws:ec2/vpcEndpoint:VpcEndpoint", "s3",
                          {"vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.us-east-1.s3"})]
    assert estimate(views, Traffic(), prices).total == pytest.approx(14.60)


def test_a_fargate_service_is_priced_at_its_auto_scaling_minimum_with_the_maximum_noted(prices):
    """desiredCount 1 but minCapacity 2: 2 x $18.02005 = $36.0401; maxCapacity 4 noted at $72.08."""
    views = [ResourceView("urn:td", "aws:ecs/taskDefinition:TaskDefinition", "td", {"cpu": "512", "memory": "1024"}),
             ResourceView("urn:svc", "aws:ecs/service:Service", "svc",
                          {"name": "bridge", "launchType": "FARGATE", "desiredCount": 1},
                          property_dependencies={"taskDefinition": ["urn:td"]}),
             ResourceView("urn:t", "aws:appautoscaling/target:Target", "target",
                          {"scalableDimension": "ecs:service:DesiredCount", "resourceId": "service/cluster/bridge",
                           "minCapacity": 2, "maxCapacity": 4})]
    est = estimate(views, Traffic(), prices)
    assert est.total == pytest.approx(36.0401)
    assert "auto-scales to 4: up to $72.08" in est.items[0].note


def test_the_repos_dev_stack_is_priced_per_tier_from_its_own_components(dev_stack):
    """The lead's components carry the tier types the estimator groups by; the telemetry
    function is invoked once per SQS batch of the stack's processingBatchSize."""
    est = estimate_capture(dev_stack)
    assert {"processing", "realtime", "network"} <= set(est.tiers())
    assert any(t.startswith("heavy-compute") for t in est.tiers())
    batch = int(dev_stack.config["iot-tiers:processingBatchSize"])
    fn = next(i for i in est.items if i.service == "Lambda" and i.item == "requests"
              and i.resource == "processing-function")
    assert fn.quantity == pytest.approx(est.traffic.messages_per_month / batch, abs=1)
