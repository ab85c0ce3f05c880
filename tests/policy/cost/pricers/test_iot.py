"""IoT Core pricers: the rule, the fleet on the first rule, the bridge's deliveries on its service."""

from __future__ import annotations

import json

import pytest

from iot_tiers_policy.cost import Traffic

from .pricer_support import priced, resource, view
from .processing_stack import FN, RULE, processing

SERVICE, TD = "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition"


def bridge(tasks: int = 1, public: bool = False):
    containers = [{"name": "bridge", "environment": [
        {"name": "MQTT_BROKER_URL", "value": "mqtts://abc-ats.iot.us-east-1.amazonaws.com:8883"}]}]
    return [view(TD, "td", {"cpu": "256", "memory": "512", "containerDefinitions": json.dumps(containers),
                            "runtimePlatform": {"cpuArchitecture": "ARM64"}}),
            view(SERVICE, "bridge", {"launchType": "FARGATE", "desiredCount": tasks,
                                     "networkConfiguration": {"assignPublicIp": public}},
                 deps={"taskDefinition": [(TD, "td")]})]


def test_the_fleet_is_billed_once_on_the_rule_with_each_action_and_meter():
    """Two actions (sqs, lambdas): 43.8M x 2 x $0.15/M = $13.14; rule $6.57; 500 devices x 43,800 min
    x $0.08/M = $1.752; 43.8M publishes of 29 + 512 B (one meter) x $1/M = $43.80."""
    views = processing() + [view(RULE, "rule2", {"sqs": [{}], "lambdas": [{}]},
                                 deps={"lambdas": [(FN, "function")]})]
    est = priced(*views)
    rule2 = resource(est, "rule2")
    assert [round(i.usd, 4) for i in rule2.items] == [6.57, 13.14]  # the fleet is on the first rule only
    rule = resource(est, "rule")
    assert [round(i.usd, 4) for i in rule.items] == [6.57, 6.57, 1.752, 43.80]


def test_a_payload_that_fits_5_kb_only_without_its_topic_takes_two_meters():
    """5,100 B payload + 29 B topic = 5,129 B > 5,120: every count doubles."""
    rule = resource(priced(*processing(), traffic=Traffic(payload_bytes=5100)), "rule")
    assert rule.items[0].quantity == 2 * 43.8e6 and rule.items[3].quantity == 2 * 43.8e6


def test_the_bridge_pays_deliveries_to_its_subscriptions_their_pubacks_and_its_connection():
    """10 dashboards x 60 msg/min x 43,800 min = 26,280,000 telemetry deliveries (under 1 task x 43.8M): $26.28;
    the relay's 43,800 alerts delivered to the task: $0.0438; every delivery's QoS 1 PUBACK, metered as a
    message: 26,323,800 x $1/M = $26.3238; 1 connection x 43,800 min x $0.08/M = $0.003504."""
    svc = resource(priced(*processing(), *bridge()), "bridge")
    iot = [i for i in svc.items if i.service == "IoT Core"]
    assert [round(i.usd, 6) for i in iot] == [26.28, 0.0438, 26.3238, 0.003504]


def test_bridge_deliveries_are_capped_at_every_message_once_per_task():
    """1,000 dashboards want 2.628e9 telemetry messages a month, but 2 tasks receive at most 2 x 43.8M,
    and each task every one of the 43,800 alerts."""
    svc = resource(priced(*processing(), *bridge(tasks=2), traffic=Traffic(dashboard_connections=1000)), "bridge")
    assert [i.quantity for i in svc.items[2:5]] == [2 * 43.8e6, 2 * 43_800, pytest.approx(2 * 43.8e6 + 2 * 43_800)]


def test_messages_past_the_first_billion_pay_the_next_tier_across_resources():
    """30,000 devices x 120/h = 2.628e9 publishes: 1e9 x $1/M + 1.628e9 x $0.80/M = $2,302.40; the bridge's
    26.28M deliveries come after them, at $0.80/M: $21.024."""
    est = priced(*processing(), *bridge(), traffic=Traffic(devices=30_000))
    assert resource(est, "rule").items[3].usd == pytest.approx(2302.40)
    assert resource(est, "bridge").items[2].usd == pytest.approx(21.024)


def test_a_rules_usage_narrows_the_messages_it_sees_and_everything_downstream():
    est = priced(*processing(), usage={"resource_usage": {"rule": {"monthly_messages": 4_380_000}}})
    assert resource(est, "rule").items[0].quantity == 4_380_000
    assert resource(est, "table").items[0].quantity == pytest.approx(4_380_000 + 2 * 4_380)


def test_a_bridge_whose_containers_are_unknown_at_a_first_preview_is_said_to_leave_the_estimate_low():
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    views = bridge()
    views[0].props["containerDefinitions"] = UNKNOWN_STRING_VALUE
    est = priced(*processing(), *views)
    assert not [i for i in resource(est, "bridge").items if i.service == "IoT Core"]
    assert any("bridge: its container definitions are not known at this preview" in w for w in est.warnings)
