"""Helpers for the telemetry handler's tests: event builders, a reader of what the
handler left in (moto's) AWS, fault hooks, and a moto server process.

Faults are injected through botocore's own event hooks on the handler's clients
(``before-parameter-build``, ``before-call``, ``after-call``): the SDK's extension
points, so the handler's code path is exactly the one a real throttle takes.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from botocore.awsrequest import AWSResponse
from support import REPO_ROOT

REPO = REPO_ROOT
_counter = itertools.count()


def now_ms() -> int:
    return int(time.time() * 1000)


def sqs_record(body: Any, message_id: Optional[str] = None, *, raw: bool = False) -> dict[str, Any]:
    """An SQS event record as Lambda delivers it; ``body`` is JSON-encoded unless ``raw``."""
    return {
        "messageId": message_id or f"msg-{next(_counter)}-{uuid.uuid4().hex[:8]}",
        "receiptHandle": "rh",
        "body": body if raw else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(now_ms())},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:telemetry",
        "awsRegion": "us-east-1",
    }


def reading(device: str = "sensor-1", temperature: Any = 21.5, **extra: Any) -> dict[str, Any]:
    """The JSON the IoT rule builds: payload plus deviceId and brokerTimestamp."""
    body = {"deviceId": device, "temperature": temperature, "brokerTimestamp": now_ms()}
    body.update(extra)
    return body


def sqs_event(*bodies: Any) -> dict[str, Any]:
    return {"Records": [b if isinstance(b, dict) and "messageId" in b else sqs_record(b) for b in bodies]}


def failed_ids(result: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in result["batchItemFailures"]]


class LambdaContext:
    """The two members of Lambda's context object the handler reads."""

    def __init__(self, remaining_ms: int = 30_000) -> None:
        self.aws_request_id = uuid.uuid4().hex
        self._deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Backend:
    """The AWS resources a test's handler talks to, with readers for what it left there."""

    ddb: Any
    sqs: Any
    sns: Any
    table: str
    topic_arn: str
    rejects_url: str
    alerts_url: str

    def items(self, pk: Optional[str] = None) -> list[dict[str, Any]]:
        if pk is None:
            pages = self.ddb.get_paginator("scan").paginate(TableName=self.table)
        else:
            pages = self.ddb.get_paginator("query").paginate(
                TableName=self.table, KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}})
        return [item for page in pages for item in page["Items"]]

    def readings(self, pk: Optional[str] = None) -> list[dict[str, Any]]:
        return [i for i in self.items(pk) if i["sk"]["S"].startswith("TS#")]

    def _drain(self, url: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for _ in range(100):
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           MessageAttributeNames=["All"], WaitTimeSeconds=0)
            messages = got.get("Messages", [])
            if not messages:
                break
            for m in messages:
                out.append(m)
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return out

    def rejects(self) -> list[dict[str, Any]]:
        """Envelopes on the rejects queue (consumed), each with its message attributes."""
        out = []
        for m in self._drain(self.rejects_url):
            env = json.loads(m["Body"])
            env["_attributes"] = {k: v["StringValue"] for k, v in m.get("MessageAttributes", {}).items()}
            out.append(env)
        return out

    def alerts(self) -> list[dict[str, Any]]:
        """Alerts delivered to the queue subscribed to the topic (consumed)."""
        return [json.loads(m["Body"]) for m in self._drain(self.alerts_url)]


def create_backend(ddb: Any, sqs: Any, sns: Any, suffix: str = "") -> Backend:
    table = f"telemetry{suffix}"
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}])
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    topic_arn = sns.create_topic(Name=f"alerts{suffix}")["TopicArn"]
    rejects_url = sqs.create_queue(QueueName=f"rejects{suffix}")["QueueUrl"]
    alerts_url = sqs.create_queue(QueueName=f"alert-inbox{suffix}")["QueueUrl"]
    alerts_arn = sqs.get_queue_attributes(QueueUrl=alerts_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=alerts_arn,
                  Attributes={"RawMessageDelivery": "true"})
    return Backend(ddb, sqs, sns, table, topic_arn, rejects_url, alerts_url)


def error_response(code: str, message: str, status: int = 400) -> tuple[AWSResponse, dict[str, Any]]:
    """What a ``before-call`` hook returns to make the SDK see an AWS error instead of calling."""
    http = AWSResponse("https://fault.invalid/", status, {}, None)
    return http, {"Error": {"Code": code, "Message": message},
                  "ResponseMetadata": {"HTTPStatusCode": status}}


@dataclass
class DynamoFaults:
    """Make the handler's BatchWriteItem behave like a throttled table.

    ``unprocessed_pks``: items of these partition keys are left out of every request
    and handed back as ``UnprocessedItems`` (a hot partition). ``throttle_calls``: that
    many next calls fail with ProvisionedThroughputExceededException.
    """

    unprocessed_pks: set[str] = field(default_factory=set)
    throttle_calls: int = 0
    calls: int = 0
    items_per_call: list[int] = field(default_factory=list)
    _held: list[dict[str, Any]] = field(default_factory=list)

    def install(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-call.dynamodb.BatchWriteItem", self._before_call)
        events.register("after-call.dynamodb.BatchWriteItem", self._report_unprocessed)

    def _before_call(self, params: dict[str, Any], **_: Any) -> Any:
        """Runs after parameter validation, before sending: edit the request body."""
        self.calls += 1
        body = json.loads(params["body"])
        self._held = []
        for table, requests in body["RequestItems"].items():
            keep = []
            for request in requests:
                if request["PutRequest"]["Item"]["pk"]["S"] in self.unprocessed_pks:
                    self._held.append({table: request})
                else:
                    keep.append(request)
            body["RequestItems"][table] = keep
        body["RequestItems"] = {t: r for t, r in body["RequestItems"].items() if r}
        sent = sum(len(r) for r in body["RequestItems"].values())
        self.items_per_call.append(sent + len(self._held))
        if self.throttle_calls > 0:
            self.throttle_calls -= 1
            self._held = []
            return error_response("ProvisionedThroughputExceededException",
                                  "The level of configured provisioned throughput for the table was exceeded.")
        if sent == 0:  # everything held back: DynamoDB processed nothing (after-call reports it)
            return AWSResponse("https://fault.invalid/", 200, {}, None), {"UnprocessedItems": {}}
        params["body"] = json.dumps(body).encode()
        return None

    def _report_unprocessed(self, parsed: dict[str, Any], **_: Any) -> None:
        unprocessed = parsed.setdefault("UnprocessedItems", {})
        for held in self._held:
            for table, request in held.items():
                unprocessed.setdefault(table, []).append(request)


@dataclass
class SnsFaults:
    """Make PublishBatch refuse the entries of given devices (``fail_devices``), as SNS
    reports a per-entry failure: the entry is not published and is listed in ``Failed``."""

    fail_devices: set[str] = field(default_factory=set)
    published_calls: int = 0
    _dropped: list[str] = field(default_factory=list)

    def install(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build.sns.PublishBatch", self._drop)
        client.meta.events.register("after-call.sns.PublishBatch", self._report)

    def _drop(self, params: dict[str, Any], **_: Any) -> None:
        self.published_calls += 1
        keep, self._dropped = [], []
        for entry in params["PublishBatchRequestEntries"]:
            if json.loads(entry["Message"])["deviceId"] in self.fail_devices:
                self._dropped.append(entry["Id"])
            else:
                keep.append(entry)
        params["PublishBatchRequestEntries"] = keep

    def _report(self, parsed: dict[str, Any], **_: Any) -> None:
        failed = parsed.setdefault("Failed", [])
        for entry_id in self._dropped:
            failed.append({"Id": entry_id, "Code": "InternalError", "SenderFault": False,
                           "Message": "injected: SNS could not publish this entry"})


def count_calls(client: Any, operation: str) -> Callable[[], int]:
    """Count ``operation`` calls made by ``client``; returns a reader of the count."""
    seen = [0]

    def hook(**_: Any) -> None:
        seen[0] += 1

    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-call.{service}.{operation}", hook)
    return lambda: seen[0]


# ----------------------------------------------------------------- moto server process
@contextlib.contextmanager
def moto_server_process() -> Iterator[str]:
    """``python -m moto.server`` in its own process on a free loopback port; yields its URL."""
    from iot_tiers.local.aws import moto_server

    with moto_server() as moto:
        yield moto.endpoint
