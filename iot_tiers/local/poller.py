"""The Lambda side, locally: an SQS event source mapping feeding the real handler.

Run as its own process (``python -m iot_tiers.local.poller --config FILE``), the
way Lambda runs the function apart from everything else: its environment is the
function's (``TABLE_NAME``, ``ALERT_TOPIC_ARN``, ``REJECTS_QUEUE_URL``, the stack's
other variables, and ``AWS_ENDPOINT_URL`` pointing boto3 at moto), and the handler
(``iot_tiers_runtime.processing.handler.handler`` by default) is imported and called
in-process, warm across invocations, as in a Lambda execution environment.

What it reproduces of the event source mapping:

* batching: up to ``batch_size`` records per invocation, waiting up to
  ``batch_window_s`` to fill a batch (at most 10 per ReceiveMessage, as Lambda's pollers);
* the event: ``{"Records": [...]}`` with ``messageId``, ``receiptHandle``, ``body``,
  ``attributes`` (``ApproximateReceiveCount``, ``SentTimestamp``, ``SenderId``,
  ``ApproximateFirstReceiveTimestamp``), ``messageAttributes``, ``md5OfBody``,
  ``eventSource: aws:sqs``, ``eventSourceARN`` and ``awsRegion``;
* ``ReportBatchItemFailures``: records named in ``batchItemFailures`` stay on the
  queue (SQS redelivers them after the visibility timeout, and moves them to the
  dead-letter queue after ``maxReceiveCount`` deliveries); every other record is
  deleted. A response Lambda would treat as invalid (an unknown or empty
  ``itemIdentifier``) fails the whole batch, as does an exception or a run longer
  than the function's timeout.

What it does not: one poller invokes one batch at a time (Lambda runs up to the
reserved concurrency in parallel), and a handler running past its timeout is not
killed, only counted as failed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
import time
import traceback
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Optional

#: Most messages one ReceiveMessage returns (an SQS limit).
RECEIVE_LIMIT = 10


@dataclass(frozen=True)
class PollerConfig:
    """What the poller reads from its ``--config`` file.

    Attributes:
        queue_url: the telemetry queue.
        queue_arn: its ARN (the records' ``eventSourceARN``).
        region: the records' ``awsRegion``.
        batch_size: records per invocation (the mapping's ``batchSize``).
        batch_window_s: longest wait to fill a batch (``maximumBatchingWindowInSeconds``).
        timeout_s: the function's timeout; ``get_remaining_time_in_millis`` counts down from it.
        memory_mb: the function's memory, reported in the context.
        function_name: the function's name, reported in the context.
        handler: ``module.attribute`` of the handler.
        stats_file: where the poller keeps its counters (JSON, rewritten after each invocation).
        endpoint: the AWS endpoint (moto) the poller's own SQS client uses.
    """

    queue_url: str
    queue_arn: str
    region: str
    batch_size: int
    batch_window_s: float
    timeout_s: int
    memory_mb: int
    function_name: str
    handler: str
    stats_file: str
    endpoint: str


@dataclass
class PollerStats:
    """Counters the orchestrator reads for the status line and the summary."""

    invocations: int = 0
    records: int = 0
    deleted: int = 0
    failed_records: int = 0
    failed_invocations: int = 0
    last_error: str = ""


class LambdaContext:
    """The attributes of Lambda's context object that handlers (and Powertools) read."""

    def __init__(self, config: PollerConfig) -> None:
        self.function_name = config.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (f"arn:aws:lambda:{config.region}:{config.queue_arn.split(':')[4]}:"
                                     f"function:{config.function_name}:live")
        self.memory_limit_in_mb = config.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{config.function_name}"
        self.log_stream_name = "tiers-local"
        self._deadline = time.monotonic() + config.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of Lambda's SQS event, from a ReceiveMessage message."""
    attributes = {k: str(v) for k, v in (message.get("Attributes") or {}).items()
                  if k in ("ApproximateReceiveCount", "SentTimestamp", "SenderId",
                           "ApproximateFirstReceiveTimestamp", "MessageGroupId",
                           "MessageDeduplicationId", "SequenceNumber", "AWSTraceHeader")}
    message_attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        message_attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": list(value.get("StringListValues") or []),
            "binaryListValues": list(value.get("BinaryListValues") or []),
            "dataType": value.get("DataType"),
        }
        if message_attributes[name]["stringValue"] is None:
            del message_attributes[name]["stringValue"]
        if message_attributes[name]["binaryValue"] is None:
            del message_attributes[name]["binaryValue"]
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """Lambda's SQS event for a batch of ReceiveMessage messages."""
    return {"Records": [sqs_record(m, queue_arn, region) for m in messages]}


class InvalidResponse(ValueError):
    """The handler's response is one Lambda treats as failing the whole batch."""


def failed_message_ids(response: Any, batch_ids: list[str]) -> set[str]:
    """The records to keep on the queue, from a handler response, as Lambda reads it.

    ``None``, ``{}``, or a missing/null/empty ``batchItemFailures`` mean every record
    succeeded. Raises :class:`InvalidResponse` (the whole batch fails) when an entry is
    not an object, has no ``itemIdentifier``, an empty one, or one not in the batch.
    """
    if response is None or response == "":
        return set()
    if not isinstance(response, dict):
        raise InvalidResponse(f"the response is not a JSON object: {type(response).__name__}")
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        raise InvalidResponse("batchItemFailures is not a list")
    ids = set(batch_ids)
    failed: set[str] = set()
    for entry in failures:
        if not isinstance(entry, dict) or "itemIdentifier" not in entry:
            raise InvalidResponse(f"a batchItemFailures entry has no itemIdentifier: {entry!r}")
        identifier = entry["itemIdentifier"]
        if not identifier or identifier not in ids:
            raise InvalidResponse(f"itemIdentifier {identifier!r} is not a message of this batch")
        failed.add(identifier)
    return failed


class Poller:
    """Receive batches, invoke the handler, delete what it did not report failed.

    Args:
        config: see :class:`PollerConfig`.
        handler: the function to invoke (default: imported from ``config.handler``).
        sqs: a boto3 SQS client (default: one for ``config.endpoint``).
    """

    def __init__(self, config: PollerConfig, handler: Optional[Callable[[Any, Any], Any]] = None,
                 sqs: Any = None) -> None:
        self.config = config
        self.handler = handler or load_handler(config.handler)
        self.sqs = sqs or _sqs_client(config)
        self.stats = PollerStats()
        self.stopping = False

    def gather(self) -> list[dict[str, Any]]:
        """One batch: up to ``batch_size`` messages within ``batch_window_s`` of the first."""
        batch: list[dict[str, Any]] = []
        first_at: Optional[float] = None
        while not self.stopping and len(batch) < self.config.batch_size:
            if first_at is None:
                wait = 1  # long poll while idle; short enough to notice SIGTERM promptly
            else:
                left = self.config.batch_window_s - (time.monotonic() - first_at)
                if left <= 0:
                    break
                wait = max(0, min(1, int(left)))
            got = self.sqs.receive_message(
                QueueUrl=self.config.queue_url, WaitTimeSeconds=wait,
                MaxNumberOfMessages=min(RECEIVE_LIMIT, self.config.batch_size - len(batch)),
                AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
            if got and first_at is None:
                first_at = time.monotonic()
            batch.extend(got)
            if first_at is not None and self.config.batch_window_s <= 0:
                break
            if not got and first_at is not None and wait == 0:
                time.sleep(0.05)
        return batch

    def invoke(self, batch: list[dict[str, Any]]) -> None:
        """Invoke the handler with ``batch`` and delete the records it did not report failed."""
        event = sqs_event(batch, self.config.queue_arn, self.config.region)
        ids = [m["MessageId"] for m in batch]
        context = LambdaContext(self.config)
        started = time.monotonic()
        self.stats.invocations += 1
        self.stats.records += len(batch)
        try:
            response = self.handler(event, context)
            if time.monotonic() - started > self.config.timeout_s:
                raise TimeoutError(f"Task timed out after {self.config.timeout_s} seconds")
            failed = failed_message_ids(response, ids)
        except Exception as exc:  # the whole batch fails, as in Lambda
            self.stats.failed_invocations += 1
            self.stats.last_error = f"{type(exc).__name__}: {exc}"
            print(json.dumps({"level": "ERROR", "message": "invocation failed; the whole batch "
                              "stays on the queue", "error": self.stats.last_error,
                              "traceback": traceback.format_exc()}), flush=True)
            failed = set(ids)
        self.stats.failed_records += len(failed)
        done = [m for m in batch if m["MessageId"] not in failed]
        for start in range(0, len(done), RECEIVE_LIMIT):
            chunk = done[start:start + RECEIVE_LIMIT]
            response = self.sqs.delete_message_batch(
                QueueUrl=self.config.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)])
            self.stats.deleted += len(response.get("Successful") or [])
        self.write_stats()

    def write_stats(self) -> None:
        path = Path(self.config.stats_file)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self.stats)))
        os.replace(tmp, path)

    def run(self) -> None:
        """Poll until :attr:`stopping` is set; a batch in progress is finished first."""
        self.write_stats()
        while not self.stopping:
            try:
                batch = self.gather()
            except Exception as exc:  # moto going away at shutdown, or a network hiccup
                if self.stopping:
                    break
                self.stats.last_error = f"ReceiveMessage failed: {exc}"
                time.sleep(0.5)
                continue
            if batch:
                self.invoke(batch)


def load_handler(path: str) -> Callable[[Any, Any], Any]:
    """Import ``module.attribute`` (``iot_tiers_runtime.processing.handler.handler``)."""
    module, _, attribute = path.rpartition(".")
    if not module:
        raise ValueError(f"handler {path!r} must be module.attribute")
    return getattr(importlib.import_module(module), attribute)


def _sqs_client(config: PollerConfig) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("sqs", endpoint_url=config.endpoint, region_name=config.region,
                        config=Config(retries={"mode": "standard", "max_attempts": 3},
                                      connect_timeout=2, read_timeout=10))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m iot_tiers.local.poller",
                                     description="Feed an SQS queue to a Lambda handler, as an event source mapping.")
    parser.add_argument("--config", required=True, help="JSON file with the PollerConfig fields")
    args = parser.parse_args(argv)
    config = PollerConfig(**json.loads(Path(args.config).read_text()))
    poller = Poller(config)

    def stop(signum: int, frame: Any) -> None:
        poller.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    poller.run()
    poller.write_stats()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
