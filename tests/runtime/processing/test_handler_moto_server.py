"""The handler against a moto server in its own process, reached through AWS_ENDPOINT_URL."""

from __future__ import annotations

import boto3
import pytest

from .handler_fixtures import LambdaContext, create_backend, failed_ids, reading, sqs_event, sqs_record
from iot_tiers_runtime.processing import handler as handler_module

pytestmark = pytest.mark.slow


def test_handler_stores_rejects_and_alerts_through_a_moto_server_process(aws_env, moto_server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)   # boto3 honours it natively
    backend = create_backend(boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("sns"))
    monkeypatch.setenv("TABLE_NAME", backend.table)
    monkeypatch.setenv("ALERT_TOPIC_ARN", backend.topic_arn)
    monkeypatch.setenv("REJECTS_QUEUE_URL", backend.rejects_url)
    handler_module.reset()

    hot = sqs_record(reading("boiler-1", 97.5, timestamp=1714564800))
    bad = sqs_record({"deviceId": "boiler-2", "temperature": "warm"})
    normal = [sqs_record(reading(f"room-{i}", 21)) for i in range(30)]
    event = sqs_event(hot, bad, *normal)

    assert failed_ids(handler_module.handler(event, LambdaContext())) == []
    assert failed_ids(handler_module.handler(sqs_event(hot), LambdaContext())) == []  # redelivery

    assert len(backend.readings()) == 31
    assert [i["sk"]["S"] for i in backend.readings("DEVICE#boiler-1")] == ["TS#2024-05-01T12:00:00.000Z"]
    [envelope] = backend.rejects()
    assert (envelope["reason"], envelope["field"], envelope["source"]["messageId"]) == (
        "wrong-type", "temperature", bad["messageId"])
    assert backend.alerts() == [{"deviceId": "boiler-1", "temperature": 97.5, "humidity": None,
                                 "timestamp": "2024-05-01T12:00:00.000Z", "thresholdCelsius": 80.0}]
    assert handler_module.aws.client("dynamodb").meta.endpoint_url == moto_server
