"""`tiers preview` shows the same monthly total `tiers cost` computes, for any instance type, at any prices."""

from __future__ import annotations

import json

import pytest

from iot_tiers.cli import main
from iot_tiers.offline.costing import cost_stack
from iot_tiers.offline.preflight import run_preview
from support import REPO_ROOT

REPO = REPO_ROOT
ANYTYPE = REPO / "tests" / "policy" / "cost" / "programs" / "anytype"
DATASET = json.loads((REPO / "policies" / "iot_tiers_policy" / "cost" / "prices" / "ec2-on-demand-us-east-1.json")
                     .read_text())["prices"]


def test_preview_summary_carries_the_cost_estimate_of_the_same_resources():
    result = run_preview(REPO, "dev")
    _, estimate = cost_stack(REPO, "dev")
    cost = result.summary()["monthlyCost"]
    assert cost["total_usd"] == round(estimate.total, 2)
    assert cost["total_usd"] > 0
    assert set(cost["tiers"]) >= {"processing", "realtime", "network"}
    assert cost["complete"] is True and cost["warnings"] == []


def test_the_alert_relay_is_invoked_once_per_alert_not_per_message():
    capture, estimate = cost_stack(REPO, "dev")
    from iot_tiers.offline.costing import traffic_from_capture

    traffic = traffic_from_capture(capture)
    (requests,) = [i for i in estimate.items if i.resource == "processing-relay-function" and i.item == "requests"]
    # 500 devices x 120 msgs/h x 730 h = 43.8M readings a month; 1,000 per million alert.
    assert requests.quantity == pytest.approx(traffic.messages_per_month * traffic.alert_rate)
    assert requests.quantity == pytest.approx(43_800)


@pytest.mark.parametrize("stack,instance_type", [("u7i", "u7i-12tb.224xlarge"), ("flex", "c7i-flex.large"),
                                                 ("gpu", "g6e.xlarge")])
def test_preview_and_cost_price_an_instance_type_only_the_bundled_dataset_has(capsys, stack, instance_type):
    """730 h x the dataset's rate, plus an 8 GB gp3 root volume ($0.64)."""
    expected = round(730 * DATASET[instance_type] + 8 * 0.08, 2)
    code = main(["preview", "--stack", stack, "--program", str(ANYTYPE), "--policy-pack", str(REPO / "policies")])
    out = capsys.readouterr().out
    assert code in (0, 1)  # the pack's own verdicts do not matter here
    assert f"Estimated monthly cost: ${expected:,.2f}" in out
    code = main(["cost", "--stack", stack, "--program", str(ANYTYPE), "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["total_usd"] == pytest.approx(expected)


def test_an_instance_type_without_a_price_leaves_the_preview_running_and_says_the_estimate_is_incomplete(capsys):
    code = main(["preview", "--stack", "future", "--program", str(ANYTYPE), "--policy-pack", str(REPO / "policies")])
    out = " ".join(capsys.readouterr().out.split())  # the report wraps its lines
    assert code in (0, 1)
    assert "Estimated monthly cost: $0.00; details" in out  # the instance, root volume and all, is unpriced
    assert "cost estimate: incomplete: 1 resource(s) not priced, so the total could be higher by up to $" in out
    assert "cost-estimate-complete" in out


def test_preview_prices_its_estimate_with_a_price_file(capsys, tmp_path):
    """c7i-flex.large at $0.1/hour instead of the dataset's: 730 x $0.1 + $0.64 = $73.64."""
    prices = tmp_path / "rates.json"
    prices.write_text(json.dumps({"ec2": {"instances": {"c7i-flex.large": {"on_demand_hourly": 0.1}}}}))
    code = main(["preview", "--stack", "flex", "--program", str(ANYTYPE), "--policy-pack", str(REPO / "policies"),
                 "--prices", str(prices)])
    assert code in (0, 1) and "Estimated monthly cost: $73.64" in capsys.readouterr().out
    code = main(["preview", "--stack", "flex", "--program", str(ANYTYPE), "--prices", str(tmp_path / "none.json")])
    assert code == 2 and "error (price file): price file" in capsys.readouterr().err
