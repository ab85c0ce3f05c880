"""The local stack rebuilds the dev stack's ProcessingTier under its names and settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from iot_tiers.offline.harness import Capture, run_stack
from iot_tiers.local.stack import PlanError, plan_from_capture
from support import REPO_ROOT

REPO = REPO_ROOT


@pytest.fixture(autouse=True)
def event_loop_for_the_harness():
    """Pulumi's runtime asks for the thread's current event loop, which any earlier
    ``asyncio.run()`` in the session leaves unset; give it one, and leave it set as a fresh
    process would have it."""
    asyncio.set_event_loop(asyncio.new_event_loop())


@pytest.fixture
def dev_capture() -> Capture:
    return run_stack(REPO, "dev", preview=False)


def test_names_and_settings_come_from_the_dev_stacks_resources(dev_capture):
    plan = plan_from_capture(dev_capture)
    named = {r.name: r.outputs.get("name") for r in dev_capture.resources}
    assert plan.table_name == named["processing-table"]
    assert plan.queue_name == named["processing-queue"] and plan.dlq_name == named["processing-dlq"]
    assert plan.rejects_name == named["processing-rejects"] and plan.topic_name == named["processing-topic"]
    assert (plan.topic_filter, plan.device_level) == ("devices/+/telemetry", 2)
    assert plan.batch_size == 100 and plan.batch_window_s == 1 and plan.max_receive_count == 5
    assert plan.visibility_timeout_s == 6 * plan.timeout_s + plan.batch_window_s
    assert plan.handler == "iot_tiers_runtime.processing.handler.handler"
    assert plan.environment["ALERT_THRESHOLD_CELSIUS"] == "80"
    assert not {"TABLE_NAME", "ALERT_TOPIC_ARN", "REJECTS_QUEUE_URL"} & set(plan.environment)


def test_changing_the_stack_config_changes_the_local_stack():
    capture = run_stack(REPO, "dev", preview=False, extra_config={
        "processingBatchSize": 10, "processingTopicFilter": "sites/+/temperature",
        "processingAlertThresholdCelsius": 60, "processingMaxReceiveCount": 2})
    plan = plan_from_capture(capture)
    assert (plan.batch_size, plan.topic_filter, plan.max_receive_count) == (10, "sites/+/temperature", 2)
    assert plan.alert_threshold_celsius == 60


def test_a_stack_without_a_processing_tier_is_a_clear_error():
    with pytest.raises(PlanError, match="stack 'empty' has no ProcessingTier"):
        plan_from_capture(Capture("iot-tiers", "empty"))
