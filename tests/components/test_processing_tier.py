"""ProcessingTier under Pulumi's mock runtime, through the repo's dev and prod stacks."""

from __future__ import annotations

import json

import pytest

from iot_tiers.offline.harness import Capture
from iot_tiers_policy.decision import declared_profile, place

from support import policy_statements

PT = "iot-tiers:index:ProcessingTier"


def tier_children(stack: Capture) -> list:
    return stack.descendants(stack.one(PT).urn)


def by_name(stack: Capture, suffix: str):
    found = [r for r in tier_children(stack) if r.name == f"processing-{suffix}"]
    assert len(found) == 1, f"no single child processing-{suffix}"
    return found[0]


EXPECTED_CHILDREN = {
    "key": "aws:kms/key:Key",
    "topic": "aws:sns/topic:Topic",
    "queue": "aws:sqs/queue:Queue",
    "dlq": "aws:sqs/queue:Queue",
    "rejects": "aws:sqs/queue:Queue",
    "table": "aws:dynamodb/table:Table",
    "log-group": "aws:cloudwatch/logGroup:LogGroup",
    "role": "aws:iam/role:Role",
    "role-policy": "aws:iam/rolePolicy:RolePolicy",
    "function": "aws:lambda/function:Function",
    "alias": "aws:lambda/alias:Alias",
    "event-source": "aws:lambda/eventSourceMapping:EventSourceMapping",
    "rule": "aws:iot/topicRule:TopicRule",
    "rule-role": "aws:iam/role:Role",
    "alarm-dlq": "aws:cloudwatch/metricAlarm:MetricAlarm",
    "alarm-errors": "aws:cloudwatch/metricAlarm:MetricAlarm",
    "alarm-throttles": "aws:cloudwatch/metricAlarm:MetricAlarm",
}


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_every_expected_child_exists_and_is_parented_to_the_tier(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    tier = stack.one(PT)
    for short, typ in EXPECTED_CHILDREN.items():
        child = by_name(stack, short)
        assert child.type == typ
        assert child.parent == tier.urn


def test_sizing_follows_the_stack_files(dev_stack, prod_stack):
    dev_fn, prod_fn = by_name(dev_stack, "function"), by_name(prod_stack, "function")
    assert (dev_fn.inputs["memorySize"], prod_fn.inputs["memorySize"]) == (256, 1024)
    assert (dev_fn.inputs["timeout"], prod_fn.inputs["timeout"]) == (30, 60)
    assert (dev_fn.inputs["reservedConcurrentExecutions"], prod_fn.inputs["reservedConcurrentExecutions"]) == (-1, 50)
    dev_esm, prod_esm = by_name(dev_stack, "event-source"), by_name(prod_stack, "event-source")
    assert (dev_esm.inputs["batchSize"], prod_esm.inputs["batchSize"]) == (100, 500)
    assert dev_esm.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert (by_name(dev_stack, "log-group").inputs["retentionInDays"],
            by_name(prod_stack, "log-group").inputs["retentionInDays"]) == (7, 90)


def test_prod_protects_the_table_and_dev_does_not(dev_stack, prod_stack):
    dev_t, prod_t = by_name(dev_stack, "table"), by_name(prod_stack, "table")
    assert prod_t.inputs["pointInTimeRecovery"]["enabled"] is True
    assert prod_t.inputs["deletionProtectionEnabled"] is True and prod_t.protect
    assert dev_t.inputs["pointInTimeRecovery"]["enabled"] is False
    assert dev_t.inputs["deletionProtectionEnabled"] is False and not dev_t.protect


def test_provisioned_concurrency_only_where_configured(dev_stack, prod_stack):
    typ = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
    assert [r for r in tier_children(dev_stack) if r.type == typ] == []
    (pc,) = [r for r in tier_children(prod_stack) if r.type == typ]
    assert pc.inputs["provisionedConcurrentExecutions"] == 2
    assert pc.inputs["qualifier"] == "live"


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_function_is_python_312_arm64_with_the_contract_environment(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    fn = by_name(stack, "function")
    assert fn.inputs["runtime"] == "python3.12"
    assert fn.inputs["architectures"] == ["arm64"]
    assert fn.inputs["handler"] == "iot_tiers_runtime.processing.handler.handler"
    env = fn.inputs["environment"]["variables"]
    assert env["TABLE_NAME"] == by_name(stack, "table").outputs["name"]
    assert env["ALERT_TOPIC_ARN"] == by_name(stack, "topic").outputs["arn"]
    assert env["REJECTS_QUEUE_URL"] == by_name(stack, "rejects").outputs["url"]
    assert fn.inputs["loggingConfig"]["logGroup"] == by_name(stack, "log-group").outputs["name"]


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_queue_visibility_is_six_times_the_timeout_and_redrives_to_the_dlq(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    fn, queue, dlq = by_name(stack, "function"), by_name(stack, "queue"), by_name(stack, "dlq")
    assert queue.inputs["visibilityTimeoutSeconds"] >= 6 * fn.inputs["timeout"]
    redrive = json.loads(queue.inputs["redrivePolicy"])
    assert redrive == {"deadLetterTargetArn": dlq.outputs["arn"], "maxReceiveCount": 5}


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_everything_that_stores_data_is_encrypted(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    for q in ("queue", "dlq", "rejects"):
        assert by_name(stack, q).inputs["sqsManagedSseEnabled"] is True
    assert by_name(stack, "table").inputs["serverSideEncryption"]["enabled"] is True
    assert by_name(stack, "topic").inputs["kmsMasterKeyId"] == by_name(stack, "key").outputs["arn"]
    assert by_name(stack, "key").inputs["enableKeyRotation"] is True


def test_table_keys_and_ttl_match_the_contract(dev_stack):
    table = by_name(dev_stack, "table")
    assert (table.inputs["hashKey"], table.inputs["rangeKey"]) == ("pk", "sk")
    assert {a["name"]: a["type"] for a in table.inputs["attributes"]} == {"pk": "S", "sk": "S"}
    assert table.inputs["ttl"] == {"attributeName": "ttl", "enabled": True}
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"


def test_iot_rule_selects_device_telemetry_into_the_queue(dev_stack):
    rule = by_name(dev_stack, "rule")
    assert rule.inputs["sql"] == ("SELECT *, topic(2) AS deviceId, timestamp() AS brokerTimestamp "
                                  "FROM 'devices/+/telemetry'")
    (action,) = rule.inputs["sqs"]
    assert action["queueUrl"] == by_name(dev_stack, "queue").outputs["url"]
    assert rule.inputs["errorAction"]["sqs"]["queueUrl"] == by_name(dev_stack, "rejects").outputs["url"]


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_function_role_names_only_the_tiers_own_arns(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    own = {by_name(stack, s).outputs["arn"] for s in ("table", "topic", "key", "queue", "dlq", "rejects")}
    own.add(by_name(stack, "log-group").outputs["arn"] + ":*")
    statements = policy_statements(by_name(stack, "role-policy").inputs["policy"])
    assert statements, "the role has no statements"
    for stmt in statements:
        assert stmt["Effect"] == "Allow"
        assert all("*" not in a for a in stmt["Action"]), stmt
        assert set(stmt["Resource"]) <= own, f"{stmt['Sid']} names {set(stmt['Resource']) - own}"
    writes = next(s for s in statements if "dynamodb:BatchWriteItem" in s["Action"])
    assert writes["Resource"] == [by_name(stack, "table").outputs["arn"]]
    publish = next(s for s in statements if "sns:Publish" in s["Action"])
    assert publish["Resource"] == [by_name(stack, "topic").outputs["arn"]]
    consume = next(s for s in statements if "sqs:ReceiveMessage" in s["Action"])
    assert consume["Resource"] == [by_name(stack, "queue").outputs["arn"]]


def test_rule_role_may_only_send_to_its_queues(dev_stack):
    stmts = policy_statements(by_name(dev_stack, "rule-role-policy").inputs["policy"])
    assert [s["Action"] for s in stmts] == [["sqs:SendMessage"]]
    assert set(stmts[0]["Resource"]) == {by_name(dev_stack, "queue").outputs["arn"],
                                         by_name(dev_stack, "rejects").outputs["arn"]}


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_function_declares_an_event_profile_the_rule_places_on_lambda(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    fn = by_name(stack, "function")
    tags = fn.inputs["tags"]
    assert tags["workload:connections"] == "none"
    assert tags["workload:trigger"] == "event"
    assert tags["workload:max-duration"] == str(fn.inputs["timeout"])
    assert tags["workload:gpu"] == "false"
    declared = declared_profile(tags)
    assert declared.is_declared
    from iot_tiers_policy.decision import Service, WorkloadProfile
    assert place(WorkloadProfile(persistent_connections=False, trigger="event",
                                 max_duration_s=declared.max_duration_s)).service is Service.LAMBDA


def test_every_taggable_child_carries_the_tier_and_stack_tags(prod_stack):
    for child in tier_children(prod_stack):
        if "tags" not in child.inputs:
            continue
        tags = child.inputs["tags"]
        assert tags["iot-tiers:tier"] == "processing", child.name
        assert tags["iot-tiers:stack"] == "prod", child.name
        assert tags["iot-tiers:environment"] == "production", child.name


def test_alarms_watch_the_dlq_and_notify_the_ops_topic(dev_stack):
    topic_arn = by_name(dev_stack, "ops-topic").outputs["arn"]
    for short in ("alarm-dlq", "alarm-errors", "alarm-throttles"):
        alarm = by_name(dev_stack, short)
        assert alarm.inputs["alarmActions"] == [topic_arn]
    assert by_name(dev_stack, "alarm-dlq").inputs["dimensions"] == {"QueueName": by_name(dev_stack, "dlq").outputs["name"]}


def test_lambda_code_archive_holds_the_handler_package(dev_stack):
    code = by_name(dev_stack, "function").inputs["code"]
    names = set(code["assets"])
    # The handler path of the contract resolves inside the archive...
    assert "iot_tiers_runtime/processing/handler.py" in names
    assert {"iot_tiers_runtime/__init__.py", "iot_tiers_runtime/processing/__init__.py"} <= names
    # ...which lists files one by one: no folder as it is on disk, no bytecode, no bridge.
    assert all(n.endswith(".py") and "__pycache__" not in n for n in names)
    assert not [n for n in names if n.startswith("iot_tiers_runtime/bridge")]
    assert all(a["path"].endswith(n.split("/", 1)[1]) for n, a in code["assets"].items())


def test_dev_reserves_no_concurrency_anywhere_so_a_new_account_limited_to_10_takes_it(dev_stack, prod_stack):
    # AWS refuses any reservation that leaves fewer unreserved executions than it keeps;
    # with a limit of 10 that is every reservation (Lambda PutFunctionConcurrency).
    dev = {r.name: r.inputs.get("reservedConcurrentExecutions", -1)
           for r in dev_stack.by_type("aws:lambda/function:Function")}
    assert dev and all(v in (None, -1) for v in dev.values()), dev
    prod = {r.name: r.inputs.get("reservedConcurrentExecutions")
            for r in prod_stack.by_type("aws:lambda/function:Function")}
    assert prod["processing-function"] == 50 and prod["processing-relay-function"] == 2


@pytest.mark.parametrize("stack_name", ["dev", "prod"])
def test_alarms_notify_the_ops_topic_and_never_the_relayed_alert_topic(stack_name, dev_stack, prod_stack):
    stack = {"dev": dev_stack, "prod": prod_stack}[stack_name]
    alert_topic, ops_topic = by_name(stack, "topic"), by_name(stack, "ops-topic")
    alarms = [r for r in tier_children(stack) if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    assert len(alarms) == 3
    for alarm in alarms:
        actions = alarm.inputs["alarmActions"] + alarm.inputs["okActions"]
        assert actions and set(actions) == {ops_topic.outputs["arn"]}, alarm.name
        assert alert_topic.outputs["arn"] not in actions
    relay_subscriptions = [r for r in tier_children(stack) if r.type == "aws:sns/topicSubscription:TopicSubscription"
                           and r.inputs.get("protocol") == "lambda"]
    assert [s.inputs["topic"] for s in relay_subscriptions] == [alert_topic.outputs["arn"]]
    assert ops_topic.inputs["kmsMasterKeyId"] == by_name(stack, "key").outputs["arn"]
