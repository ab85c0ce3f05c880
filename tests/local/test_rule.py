"""The IoT rule stand-in: what it makes of each MQTT message, and that it delivers it to SQS."""

from __future__ import annotations

import asyncio
import base64
import json

import boto3
import pytest
from moto import mock_aws

from iot_tiers.local.broker import start_broker
from iot_tiers.local.processes import Workdir
from iot_tiers.local.rule import NOT_JSON, NOT_OBJECT, RuleStandIn, route, topic_level


def test_a_json_object_gets_device_id_from_the_topic_and_the_broker_timestamp():
    routed = route("devices/d-7/telemetry", b'{"temperature": 21.5, "deviceId": "spoofed"}',
                   device_level=2, now_ms=1_700_000_000_123, rule_name="r")
    assert routed.target == "queue"
    assert json.loads(routed.body) == {"temperature": 21.5, "deviceId": "d-7",
                                       "brokerTimestamp": 1_700_000_000_123}


def test_a_payload_that_is_not_json_goes_to_rejects_as_an_error_action_message():
    routed = route("devices/d-7/telemetry", b"temp=21.5", device_level=2, now_ms=1, rule_name="processing_telemetry",
                   queue_name="processing-queue-x")
    assert routed.target == "rejects"
    doc = json.loads(routed.body)
    assert doc["ruleName"] == "processing_telemetry" and doc["topic"] == "devices/d-7/telemetry"
    assert base64.b64decode(doc["base64OriginalPayload"]) == b"temp=21.5"
    assert doc["failures"] == [{"failedAction": "SqsAction", "failedResource": "processing-queue-x",
                                "errorMessage": NOT_JSON}]


@pytest.mark.parametrize("payload", [b"[1, 2]", b"42", b'"text"', b"\xff\xfe"])
def test_json_that_is_not_an_object_or_bytes_that_are_not_utf8_go_to_rejects(payload):
    routed = route("devices/d/telemetry", payload, device_level=2, now_ms=1, rule_name="r")
    assert routed.target == "rejects"
    assert json.loads(routed.body)["failures"][0]["errorMessage"] in (NOT_JSON, NOT_OBJECT)


def test_topic_level_counts_from_one_like_iot_sql():
    assert topic_level("a/b/c", 1) == "a" and topic_level("a/b/c", 3) == "c"
    assert topic_level("a/b/c", 4) == "" and topic_level("a/b/c", 0) == ""


@pytest.mark.slow
def test_the_stand_in_moves_messages_from_mosquitto_to_the_queue_and_the_rejects_queue():
    workdir = Workdir()
    broker = start_broker(workdir)
    try:
        with mock_aws():
            sqs = boto3.client("sqs", region_name="us-east-1")
            queue = sqs.create_queue(QueueName="telemetry")["QueueUrl"]
            rejects = sqs.create_queue(QueueName="rejects")["QueueUrl"]

            async def scenario() -> RuleStandIn:
                import gmqtt

                rule = RuleStandIn(broker.port, "devices/+/telemetry", 2, sqs, queue, rejects, "rule")
                await rule.start()
                device = gmqtt.Client("device-under-test")
                await device.connect("127.0.0.1", broker.port, version=gmqtt.constants.MQTTv311)
                for i in range(12):
                    device.publish("devices/d1/telemetry", json.dumps({"temperature": 20 + i}), qos=1)
                device.publish("devices/d1/telemetry", b"not json", qos=1)
                device.publish("other/d1/telemetry", b'{"temperature": 1}', qos=1)  # outside the filter
                for _ in range(100):
                    if rule.counters.received >= 13:
                        break
                    await asyncio.sleep(0.05)
                assert await rule.drain(5)
                await device.disconnect()
                await rule.stop()
                return rule

            # A private loop, not asyncio.run(): that would leave the thread without a current
            # event loop, which Pulumi's runtime (in later tests of the session) asks for.
            loop = asyncio.new_event_loop()
            try:
                rule = loop.run_until_complete(scenario())
            finally:
                loop.close()
            assert (rule.counters.received, rule.counters.to_queue, rule.counters.to_rejects) == (13, 12, 1)
            bodies = []
            for _ in range(3):
                bodies += [json.loads(m["Body"]) for m in
                           sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])]
            assert sorted(b["temperature"] for b in bodies) == list(range(20, 32))
            assert all(b["deviceId"] == "d1" and isinstance(b["brokerTimestamp"], int) for b in bodies)
            reject = json.loads(sqs.receive_message(QueueUrl=rejects)["Messages"][0]["Body"])
            assert base64.b64decode(reject["base64OriginalPayload"]) == b"not json"
    finally:
        broker.child.stop()
        workdir.remove()
