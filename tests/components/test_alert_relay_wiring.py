"""The ProcessingTier's alert relay: SNS topic -> relay Lambda -> IoT Core, under mocks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from iot_tiers.offline.harness import run_stack
from support import REPO_ROOT, policy_statements

REPO = REPO_ROOT


def child(stack, short):
    (r,) = [r for r in stack.resources if r.name == f"processing-{short}"]
    return r


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_relay_is_subscribed_to_the_alert_topic_and_may_be_invoked_only_by_it(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    topic, fn = child(stack, "topic"), child(stack, "relay-function")
    sub = child(stack, "relay-subscription")
    assert (sub.inputs["protocol"], sub.inputs["topic"], sub.inputs["endpoint"]) == \
        ("lambda", topic.outputs["arn"], fn.outputs["arn"])
    perm = child(stack, "relay-permission")
    assert (perm.inputs["principal"], perm.inputs["sourceArn"]) == ("sns.amazonaws.com", topic.outputs["arn"])
    assert perm.urn in sub.dependencies


def test_relay_publishes_only_under_the_alert_prefix_and_keeps_failures_in_the_dlq(dev_stack):
    dlq = child(dev_stack, "dlq")
    stmts = {s["Sid"]: s for s in policy_statements(child(dev_stack, "relay-role-policy").inputs["policy"])}
    assert stmts["PublishAlerts"]["Action"] == ["iot:Publish"]
    assert stmts["PublishAlerts"]["Resource"] == ["arn:aws:iot:us-east-1:123456789012:topic/alerts/*"]
    assert stmts["KeepFailedEvents"]["Resource"] == [dlq.outputs["arn"]]
    invoke = child(dev_stack, "relay-invoke-config")
    assert invoke.inputs["destinationConfig"]["onFailure"]["destination"] == dlq.outputs["arn"]
    assert invoke.inputs["maximumRetryAttempts"] == 2


def test_relay_function_is_a_short_event_workload_with_the_endpoint_and_prefix(dev_stack):
    fn = child(dev_stack, "relay-function")
    assert fn.inputs["handler"] == "iot_tiers_runtime.processing.alert_relay.handler"
    env = fn.inputs["environment"]["variables"]
    assert env["ALERT_TOPIC_PREFIX"] == "alerts/"
    assert env["IOT_DATA_ENDPOINT"].startswith("https://") and "-ats.iot." in env["IOT_DATA_ENDPOINT"]
    tags = fn.inputs["tags"]
    assert (tags["workload:trigger"], tags["workload:max-duration"], tags["workload:connections"]) == \
        ("event", str(fn.inputs["timeout"]), "none")


def test_dashboards_may_subscribe_to_relayed_alerts_through_the_bridge(dev_stack):
    policy = next(r for r in dev_stack.resources if r.type == "aws:iot/policy:Policy")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    subscribe = [s for s in statements if "iot:Subscribe" in s["Action"]]
    assert any(res.endswith(":topicfilter/alerts/*") for s in subscribe for res in s["Resource"])


def test_turning_the_relay_off_removes_it(tmp_path):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    config = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())["config"]
    config["iot-tiers:processingAlertsToMqtt"] = False
    (tmp_path / "Pulumi.quiet.yaml").write_text(yaml.safe_dump({"config": config}))
    capture = run_stack(tmp_path, "quiet")
    assert not [r for r in capture.resources if "relay" in r.name]
    # Nothing runs or names the relay handler (the shared code archive still holds its module).
    inputs = [{k: v for k, v in r.inputs.items() if k != "code"} for r in capture.resources]
    assert json.dumps(inputs).count("alert_relay") == 0
