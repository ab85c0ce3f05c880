"""Structured logs and EMF metrics through Powertools for AWS Lambda, loaded on first use.

Powertools arrives through a Lambda layer; importing it when the first invocation
needs it keeps it off the import of the handler module. Metric names:

* ``ReadingsAccepted``: valid readings written to the table.
* ``ReadingsRejected``: invalid readings (each also logged with its reason and kept
  on the rejects queue).
* ``AlertsSent``: SNS alerts published.
* ``AlertsSkipped``: alerts not published again because a redelivery found them sent.
* ``WriteRetries``: BatchWriteItem retries of unprocessed or throttled items.
* ``RecordsFailed``: records reported in ``batchItemFailures`` (SQS will retry them).

Namespace: ``POWERTOOLS_METRICS_NAMESPACE``, default ``IotTiers``; service:
``POWERTOOLS_SERVICE_NAME``, default ``iot-tiers-processing``.
"""

from __future__ import annotations

import os
from typing import Any, Optional

DEFAULT_NAMESPACE = "IotTiers"
DEFAULT_SERVICE = "iot-tiers-processing"

_logger: Optional[Any] = None
_metrics: Optional[Any] = None


def logger() -> Any:
    """The Powertools ``Logger`` (JSON lines on stdout), created once."""
    global _logger
    if _logger is None:
        from aws_lambda_powertools.logging import Logger

        _logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or DEFAULT_SERVICE)
    return _logger


def metrics() -> Any:
    """The Powertools ``Metrics`` (CloudWatch EMF on stdout), created once."""
    global _metrics
    if _metrics is None:
        from aws_lambda_powertools.metrics import Metrics

        _metrics = Metrics(
            namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_NAMESPACE,
            service=os.environ.get("POWERTOOLS_SERVICE_NAME") or DEFAULT_SERVICE)
    return _metrics


def publish_counts(counts: dict[str, int]) -> None:
    """Emit one EMF document with every count (zeros included, so dashboards see 0)."""
    m = metrics()
    from aws_lambda_powertools.metrics import MetricUnit

    for name, value in counts.items():
        m.add_metric(name=name, unit=MetricUnit.Count, value=value)
    m.flush_metrics()
