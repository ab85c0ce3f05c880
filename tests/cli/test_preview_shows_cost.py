"""`tiers preview` shows the same monthly total `tiers cost` computes."""

from __future__ import annotations

from pathlib import Path

import pytest

from iot_tiers.offline.costing import cost_stack
from iot_tiers.offline.preflight import run_preview
from support import REPO_ROOT

REPO = REPO_ROOT


def test_preview_summary_carries_the_cost_estimate_of_the_same_resources():
    result = run_preview(REPO, "dev")
    _, estimate = cost_stack(REPO, "dev")
    cost = result.summary()["monthlyCost"]
    assert cost["total_usd"] == round(estimate.total, 2)
    assert cost["total_usd"] > 0
    assert set(cost["tiers"]) >= {"processing", "realtime", "network"}


def test_the_alert_relay_is_invoked_once_per_alert_not_per_message():
    capture, estimate = cost_stack(REPO, "dev")
    from iot_tiers.offline.costing import traffic_from_capture

    traffic = traffic_from_capture(capture)
    (requests,) = [i for i in estimate.items if i.resource == "processing-relay-function" and i.item == "requests"]
    # 500 devices x 120 msgs/h x 730 h = 43.8M readings a month; 1,000 per million alert.
    assert requests.quantity == pytest.approx(traffic.messages_per_month * traffic.alert_rate)
    assert requests.quantity == pytest.approx(43_800)
