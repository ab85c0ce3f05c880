"""The local event source mapping: Lambda's SQS event shape and its partial-batch semantics."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from iot_tiers.local.poller import (
    InvalidResponse,
    LambdaContext,
    Poller,
    PollerConfig,
    failed_message_ids,
    sqs_event,
)

REGION = "us-east-1"


@pytest.fixture
def queue(tmp_path):
    """A moto queue whose unfinished messages come straight back (visibility timeout 0)."""
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="telemetry", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        config = PollerConfig(queue_url=url, queue_arn=arn, region=REGION, batch_size=10, batch_window_s=0,
                              timeout_s=30, memory_mb=256, function_name="fn", handler="unused.handler",
                              stats_file=str(tmp_path / "stats.json"), endpoint="unused")
        yield sqs, url, config


def _send(sqs, url, bodies):
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body,
                         MessageAttributes={"source": {"DataType": "String", "StringValue": "test"}})


def _remaining(sqs, url) -> list[str]:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return sorted(m["Body"] for m in got)


def test_records_have_the_fields_of_lambdas_sqs_event(queue):
    sqs, url, config = queue
    _send(sqs, url, ['{"temperature": 20}'])
    messages = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
    record = sqs_event(messages, config.queue_arn, REGION)["Records"][0]
    assert set(record) >= {"messageId", "receiptHandle", "body", "attributes", "messageAttributes",
                           "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"}
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == config.queue_arn
    assert record["awsRegion"] == REGION and record["body"] == '{"temperature": 20}'
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"]["source"] == {"stringValue": "test", "stringListValues": [],
                                                     "binaryListValues": [], "dataType": "String"}


@pytest.mark.parametrize("response", [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, ""])
def test_responses_that_report_nothing_mean_every_record_succeeded(response):
    assert failed_message_ids(response, ["a", "b"]) == set()


@pytest.mark.parametrize("response", [
    {"batchItemFailures": [{"itemIdentifier": "zzz"}]},
    {"batchItemFailures": [{"itemIdentifier": ""}]},
    {"batchItemFailures": [{"id": "a"}]},
    {"batchItemFailures": "a"},
    ["a"],
])
def test_responses_lambda_treats_as_invalid_fail_the_whole_batch(response):
    with pytest.raises(InvalidResponse):
        failed_message_ids(response, ["a", "b"])


def test_only_records_reported_in_batch_item_failures_stay_on_the_queue(queue):
    sqs, url, config = queue
    _send(sqs, url, ["keep-1", "done-1", "done-2", "keep-2"])

    def handler(event, context):
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if r["body"].startswith("keep")]}

    poller = Poller(config, handler=handler, sqs=sqs)
    batch = poller.gather()
    assert len(batch) == 4
    poller.invoke(batch)
    assert _remaining(sqs, url) == ["keep-1", "keep-2"]
    stats = json.loads(Path(config.stats_file).read_text())
    assert stats["invocations"] == 1 and stats["deleted"] == 2 and stats["failed_records"] == 2


def test_an_exception_in_the_handler_leaves_the_whole_batch_on_the_queue(queue):
    sqs, url, config = queue
    _send(sqs, url, ["a", "b"])

    def handler(event, context):
        raise RuntimeError("boom")

    poller = Poller(config, handler=handler, sqs=sqs)
    poller.invoke(poller.gather())
    assert _remaining(sqs, url) == ["a", "b"]
    assert poller.stats.failed_invocations == 1 and "boom" in poller.stats.last_error


def test_the_context_counts_down_from_the_function_timeout(queue):
    _, _, config = queue
    context = LambdaContext(config)
    assert 29_000 < context.get_remaining_time_in_millis() <= 30_000
    assert context.function_name == "fn" and context.memory_limit_in_mb == 256 and context.aws_request_id


def test_the_real_handler_writes_valid_readings_and_rejects_invalid_ones_through_the_poller(queue, monkeypatch):
    from iot_tiers_runtime.processing import handler as telemetry

    sqs, url, config = queue
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(TableName="readings", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}])
    rejects = sqs.create_queue(QueueName="rejects")["QueueUrl"]
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="alerts")["TopicArn"]
    for name, value in {"TABLE_NAME": "readings", "ALERT_TOPIC_ARN": topic, "REJECTS_QUEUE_URL": rejects,
                        "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    telemetry.reset()
    try:
        _send(sqs, url, [json.dumps({"deviceId": "d1", "temperature": 21.5, "timestamp": 1_700_000_000_000}),
                         json.dumps({"deviceId": "d1", "temperature": 300, "timestamp": 1_700_000_001_000})])
        poller = Poller(config, handler=telemetry.handler, sqs=sqs)
        poller.invoke(poller.gather())
    finally:
        telemetry.reset()
    items = ddb.scan(TableName="readings")["Items"]
    assert [(i["pk"]["S"], i["sk"]["S"]) for i in items] == [("DEVICE#d1", "TS#2023-11-14T22:13:20.000Z")]
    reject = json.loads(sqs.receive_message(QueueUrl=rejects)["Messages"][0]["Body"])
    assert reject["reason"] == "out-of-range" and reject["field"] == "temperature"
    assert _remaining(sqs, url) == []
