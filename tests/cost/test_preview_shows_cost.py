"""`tiers preview` shows the same monthly total `tiers cost` computes."""

from __future__ import annotations

from pathlib import Path

from iot_tiers.costing import cost_stack
from iot_tiers.preflight import run_preview

REPO = Path(__file__).resolve().parents[2]


def test_preview_summary_carries_the_cost_estimate_of_the_same_resources():
    result = run_preview(REPO, "dev")
    _, estimate = cost_stack(REPO, "dev")
    cost = result.summary()["monthlyCost"]
    assert cost["total_usd"] == round(estimate.total, 2)
    assert cost["total_usd"] > 0
    assert set(cost["tiers"]) >= {"processing", "realtime", "network"}
