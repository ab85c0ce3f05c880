"""AWS clients of the telemetry handler: created on first use, kept for warm invocations.

boto3 is imported here, on first use, not when the handler module loads; and each
client is built only when an invocation needs it (a batch without alerts never
loads SNS's service model, one without rejects never loads SQS's). Endpoints come
from boto3's own configuration, so ``AWS_ENDPOINT_URL`` (or the per-service
``AWS_ENDPOINT_URL_DYNAMODB``...) points the handler at a moto server.
"""

from __future__ import annotations

from typing import Any

_clients: dict[str, Any] = {}

#: Short timeouts: a hung connection should become a reported failure, not a timeout
#: of the whole invocation. botocore's "standard" mode retries throttling on each call.
_CONFIG = {"connect_timeout": 2, "read_timeout": 5,
           "retries": {"mode": "standard", "max_attempts": 3}}


def client(service: str) -> Any:
    """The shared boto3 client for ``service`` (``dynamodb``, ``sns`` or ``sqs``)."""
    found = _clients.get(service)
    if found is None:
        import boto3
        from botocore.config import Config

        found = _clients[service] = boto3.client(service, config=Config(**_CONFIG))
    return found


def reset() -> None:
    """Forget every client (tests use it when they change endpoints or credentials)."""
    _clients.clear()
