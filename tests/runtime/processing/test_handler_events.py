"""Event shapes, configuration, observability and the rejects queue's own failures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .handler_fixtures import REPO, LambdaContext, error_response, failed_ids, reading, sqs_event, sqs_record
from iot_tiers_runtime.processing import aws as handler_aws
from iot_tiers_runtime.processing.handler import ConfigurationError, TransientFailure, handler


def test_direct_iot_invocation_stores_one_reading_and_returns_a_summary(backend):
    result = handler(reading("direct-1", 90, timestamp=1714564800), LambdaContext())

    assert result == {"accepted": 1, "rejected": 0, "alertsSent": 1}
    [item] = backend.readings("DEVICE#direct-1")
    assert item["sk"]["S"] == "TS#2024-05-01T12:00:00.000Z"
    assert [a["deviceId"] for a in backend.alerts()] == ["direct-1"]


def test_direct_invalid_reading_is_kept_on_the_rejects_queue(backend):
    context = LambdaContext()
    result = handler({"deviceId": "d", "temperature": 500, "timestamp": 1714564800}, context)

    assert result == {"accepted": 0, "rejected": 1, "alertsSent": 0}
    [envelope] = backend.rejects()
    assert envelope["reason"] == "out-of-range" and envelope["field"] == "temperature"
    assert envelope["source"] == {"invocation": "direct", "requestId": context.aws_request_id}


def test_direct_invocation_raises_on_a_transient_failure_so_lambda_retries(backend, dynamo_faults):
    dynamo_faults.throttle_calls = 100
    with pytest.raises(TransientFailure, match="retries"):
        handler(reading("direct-2", 20), None)


def test_missing_settings_fail_the_first_invocation_naming_them(aws_env, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "t")
    with pytest.raises(ConfigurationError, match="ALERT_TOPIC_ARN, REJECTS_QUEUE_URL"):
        handler(sqs_event(reading()), None)


@pytest.mark.parametrize("name, value, allowed", [
    ("TTL_DAYS", "ninety", "a whole number of days"),
    ("ALERT_THRESHOLD_CELSIUS", "200", "from -40 to 125"),
    ("WRITE_MAX_ATTEMPTS", "0", "from 1 to 20"),
])
def test_malformed_setting_is_named_with_what_it_accepts(backend, monkeypatch, name, value, allowed):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=rf"{name}='{value}' is not valid: expected .*{allowed}"):
        handler(sqs_event(reading()), None)


def test_importing_the_handler_needs_no_settings_and_loads_neither_boto3_nor_powertools(clean_env):
    code = ("import sys, iot_tiers_runtime.processing.handler as h; "
            "print(sorted(m for m in ('boto3', 'botocore', 'aws_lambda_powertools') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=clean_env, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_runtime_never_imports_pulumi():
    sources = [p for p in (REPO / "runtime" / "processing").glob("*.py")]
    assert sources
    for path in sources:
        text = path.read_text()
        assert "import pulumi" not in text and "from pulumi" not in text, path


def test_clients_are_created_once_and_reused_across_warm_invocations(backend):
    handler(sqs_event(reading("a")), None)
    first = handler_aws.client("dynamodb")
    handler(sqs_event(reading("b")), None)
    assert handler_aws.client("dynamodb") is first


def test_each_invocation_emits_emf_counts_in_the_iottiers_namespace(backend, capsys, caplog):
    event = sqs_event(reading("m-1", 95), reading("m-2", 20), sqs_record("{oops", raw=True))
    handler(event, None)

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    [emf] = [line for line in lines if "_aws" in line]
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "IotTiers"
    assert (emf["ReadingsAccepted"], emf["ReadingsRejected"], emf["AlertsSent"]) == ([2.0], [1.0], [1.0])
    [rejected_log] = [r for r in caplog.records if r.getMessage() == "reading rejected"]
    assert rejected_log.levelname == "WARNING" and rejected_log.reason == "invalid-json"


def test_metrics_namespace_follows_powertools_variable(backend, capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Fleet42")
    monkeypatch.setattr("iot_tiers_runtime.processing.observability._metrics", None)
    handler(sqs_event(reading()), None)
    emf = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x][0]
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Fleet42"


def test_reject_that_cannot_be_kept_is_reported_failed_instead_of_lost(backend):
    sqs = handler_aws.client("sqs")
    sqs.meta.events.register("before-call.sqs.SendMessageBatch",
                             lambda **_: error_response("InternalError", "injected", 500))
    bad, good = sqs_record({"deviceId": "d", "temperature": "hot"}), sqs_record(reading("fine"))

    result = handler(sqs_event(bad, good), None)

    assert failed_ids(result) == [bad["messageId"]]
    assert len(backend.readings("DEVICE#fine")) == 1


def test_many_rejects_are_sent_in_batches_of_ten(backend):
    bad = [sqs_record({"deviceId": f"d{i}", "temperature": 999}) for i in range(23)]
    assert failed_ids(handler(sqs_event(*bad), None)) == []
    assert sorted(e["source"]["messageId"] for e in backend.rejects()) == sorted(b["messageId"] for b in bad)
