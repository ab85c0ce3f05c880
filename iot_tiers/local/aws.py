"""AWS, locally: a moto server process holding the ProcessingTier's resources.

moto runs as its own process (``python -m moto.server``), as AWS is another
system: the handler's poller and ``tiers local`` itself talk to it over HTTP with
ordinary boto3 clients, the handler through ``AWS_ENDPOINT_URL`` exactly as it
would talk to AWS. :func:`provision` creates what the stack creates, under the
stack's names: the table (pk/sk, TTL on ``ttl``), the telemetry queue with its
visibility timeout and redrive policy to the dead-letter queue, the rejects queue
and the alert topic. It adds one thing the stack does not have, the alert relay's
queue subscribed to the topic (see :mod:`iot_tiers.local.relay`).
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass
from typing import Any, Iterator

from .processes import LOOPBACK, Child, StartError, Workdir, free_port, http_ok, start
from .stack import ProcessingPlan

#: moto's default account: the ARNs it returns carry it.
ACCOUNT_ID = "123456789012"

#: Dummy credentials: moto accepts any, and they keep boto3 from searching for real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "tiers-local", "AWS_SECRET_ACCESS_KEY": "tiers-local",
               "AWS_SESSION_TOKEN": "tiers-local"}

#: Name of the queue the alert relay reads; local only (see relay.py).
RELAY_QUEUE_SUFFIX = "-alerts-relay"


@dataclass
class Moto:
    """A running moto server."""

    child: Child
    port: int
    region: str

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` at this server."""
        import boto3
        from botocore.config import Config

        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.region,
                            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                            config=Config(retries={"mode": "standard", "max_attempts": 3},
                                          connect_timeout=2, read_timeout=10))

    def environment(self) -> dict[str, str]:
        """Variables that point a boto3 program (the handler) at this server."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_DEFAULT_REGION": self.region,
                "AWS_REGION": self.region, **CREDENTIALS}


def start_moto(workdir: Workdir, region: str = "us-east-1", attempts: int = 3) -> Moto:
    """Start ``python -m moto.server`` on a free loopback port and wait until it answers.

    Args:
        workdir: where its log goes.
        region: the region clients use (default ``us-east-1``).
        attempts: ports to try (default 3), in case the picked port is taken meanwhile.
    """
    try:
        import moto.server
    except ImportError:
        raise StartError("tiers local needs moto's server (pip install 'moto[server]'); "
                         "bash scripts/setup.sh installs it") from None
    last: Exception | None = None
    for _ in range(attempts):
        port = free_port()
        try:
            child = start("moto", [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(port)],
                          workdir, ready=lambda p=port: http_ok(f"http://{LOOPBACK}:{p}/moto-api/"),
                          timeout=30)
        except StartError as exc:
            last = exc
            continue
        return Moto(child, port, region)
    raise StartError(f"moto did not start after {attempts} attempts: {last}")


@contextlib.contextmanager
def moto_server(region: str = "us-east-1") -> Iterator[Moto]:
    """A moto server for the length of a ``with`` block (tests and benchmarks use it too).

    Its log lives in a temporary directory removed afterwards, with the process.
    """
    workdir = Workdir(prefix="moto-")
    try:
        moto = start_moto(workdir, region)
        try:
            yield moto
        finally:
            moto.child.stop()
    finally:
        workdir.remove()


@dataclass(frozen=True)
class Resources:
    """The ProcessingTier's resources in moto, as the handler and the rule address them."""

    table_name: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    rejects_url: str
    topic_arn: str
    relay_queue_url: str

    def handler_environment(self) -> dict[str, str]:
        """The three resource variables of the handler contract."""
        return {"TABLE_NAME": self.table_name, "ALERT_TOPIC_ARN": self.topic_arn,
                "REJECTS_QUEUE_URL": self.rejects_url}


def provision(moto: Moto, plan: ProcessingPlan) -> Resources:
    """Create the tier's table, queues and topic in ``moto`` under ``plan``'s names."""
    sqs, sns, ddb = moto.client("sqs"), moto.client("sns"), moto.client("dynamodb")

    ddb.create_table(
        TableName=plan.table_name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}])
    ddb.update_time_to_live(TableName=plan.table_name,
                            TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})

    def queue(name: str, **attributes: str) -> tuple[str, str]:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    dlq_url, dlq_arn = queue(plan.dlq_name)
    rejects_url, _ = queue(plan.rejects_name)
    queue_url, queue_arn = queue(
        plan.queue_name, VisibilityTimeout=str(plan.visibility_timeout_s),
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": plan.max_receive_count}))
    topic_arn = sns.create_topic(Name=plan.topic_name)["TopicArn"]

    relay_url, relay_arn = queue(plan.tier + RELAY_QUEUE_SUFFIX)
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=relay_arn)
    return Resources(plan.table_name, queue_url, queue_arn, dlq_url, rejects_url, topic_arn, relay_url)


def queue_depth(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight) message counts of the queue at ``url``."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                      "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attrs.get("ApproximateNumberOfMessages", 0)), int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))


def count_readings(ddb: Any, table: str) -> int:
    """Reading items (``sk`` beginning ``TS#``) in ``table``; alert markers are not counted."""
    total, start_key = 0, None
    while True:
        kwargs: dict[str, Any] = {"TableName": table, "Select": "COUNT",
                                  "FilterExpression": "begins_with(sk, :ts)",
                                  "ExpressionAttributeValues": {":ts": {"S": "TS#"}}}
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        page = ddb.scan(**kwargs)
        total += int(page.get("Count", 0))
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return total


def scan_readings(ddb: Any, table: str) -> list[dict[str, Any]]:
    """Every reading item of ``table`` (low-level attribute values)."""
    items: list[dict[str, Any]] = []
    start_key = None
    while True:
        kwargs: dict[str, Any] = {"TableName": table, "FilterExpression": "begins_with(sk, :ts)",
                                  "ExpressionAttributeValues": {":ts": {"S": "TS#"}}}
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        page = ddb.scan(**kwargs)
        items.extend(page.get("Items", []))
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return items


def read_all(sqs: Any, url: str, *, max_empty: int = 2) -> list[dict[str, Any]]:
    """Receive every visible message of ``url`` without deleting it (for the summary).

    Each message becomes invisible for the queue's visibility timeout, so a second
    call does not see it again: call this once, at the end of a run.
    """
    out: list[dict[str, Any]] = []
    empty = 0
    while empty < max_empty:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                  MessageAttributeNames=["All"], VisibilityTimeout=60).get("Messages", [])
        if not got:
            empty += 1
            continue
        empty = 0
        out.extend(got)
    return out




def count_alerts_sent(ddb: Any, table: str) -> int:
    """Alert markers in state ``sent`` (one per alert the handler published to SNS)."""
    total, start_key = 0, None
    while True:
        kwargs: dict[str, Any] = {"TableName": table, "Select": "COUNT",
                                  "FilterExpression": "begins_with(sk, :alert) AND alertState = :sent",
                                  "ExpressionAttributeValues": {":alert": {"S": "ALERT#"}, ":sent": {"S": "sent"}}}
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        page = ddb.scan(**kwargs)
        total += int(page.get("Count", 0))
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return total


__all__ = ["ACCOUNT_ID", "CREDENTIALS", "Moto", "Resources", "count_alerts_sent", "count_readings",
           "provision", "queue_depth", "read_all", "scan_readings", "start_moto"]
