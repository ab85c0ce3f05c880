"""Fixtures of the telemetry handler's tests (helpers live in tests/handler_fixtures.py)."""

from __future__ import annotations

import os
from typing import Iterator

import boto3
import pytest
from moto import mock_aws

from .handler_fixtures import REPO, Backend, DynamoFaults, SnsFaults, create_backend, moto_server_process
from iot_tiers_runtime.processing import aws as handler_aws
from iot_tiers_runtime.processing import handler as handler_module

_HANDLER_VARIABLES = (
    "TABLE_NAME", "ALERT_TOPIC_ARN", "REJECTS_QUEUE_URL", "ALERT_THRESHOLD_CELSIUS", "TTL_DAYS",
    "WRITE_MAX_ATTEMPTS", "WRITE_BACKOFF_BASE_MS", "WRITE_BACKOFF_CAP_MS", "WRITE_RETRY_BUDGET_MS",
    "ALERT_LEASE_SECONDS", "MAX_FUTURE_SKEW_SECONDS", "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_DEV", "POWERTOOLS_METRICS_DISABLED",
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SNS", "AWS_ENDPOINT_URL_SQS",
    "AWS_PROFILE",
)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials, no endpoint override, fast retries; fresh handler state around the test."""
    for name in _HANDLER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("WRITE_BACKOFF_BASE_MS", "1")
    monkeypatch.setenv("WRITE_BACKOFF_CAP_MS", "5")
    monkeypatch.setenv("WRITE_MAX_ATTEMPTS", "4")
    handler_module.reset()
    yield
    handler_module.reset()


@pytest.fixture
def backend(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    """moto in-process with the table, topic, rejects queue and an alert inbox; env set."""
    with mock_aws():
        b = create_backend(boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("sns"))
        monkeypatch.setenv("TABLE_NAME", b.table)
        monkeypatch.setenv("ALERT_TOPIC_ARN", b.topic_arn)
        monkeypatch.setenv("REJECTS_QUEUE_URL", b.rejects_url)
        yield b


@pytest.fixture
def dynamo_faults(backend: Backend) -> DynamoFaults:
    """Fault hooks on the handler's own DynamoDB client."""
    faults = DynamoFaults()
    faults.install(handler_aws.client("dynamodb"))
    return faults


@pytest.fixture
def sns_faults(backend: Backend) -> SnsFaults:
    """Fault hooks on the handler's own SNS client."""
    faults = SnsFaults()
    faults.install(handler_aws.client("sns"))
    return faults


@pytest.fixture
def moto_server() -> Iterator[str]:
    """A moto server process on a free loopback port; yields its URL."""
    with moto_server_process() as url:
        yield url


@pytest.fixture
def clean_env() -> dict[str, str]:
    """This process's environment without AWS endpoints or handler settings (for subprocesses)."""
    env = {k: v for k, v in os.environ.items() if k not in _HANDLER_VARIABLES}
    env["PYTHONPATH"] = str(REPO)
    return env
