"""`tiers cost` and `tiers advise` as a user runs them."""

from __future__ import annotations

import json

import pytest

from iot_tiers.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cost_json_has_total_tiers_items_and_assumptions(capsys, fleet_dir):
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["stack"] == "test" and doc["region"] == "us-east-1"
    assert doc["total_usd"] == pytest.approx(236.10)
    assert doc["tiers"]["processing"] == pytest.approx(117.07)
    assert doc["assumptions"]["trafficDevices"] == 1000
    assert {"tier", "resource", "service", "item", "quantity", "unit", "usd", "price_key"} <= set(doc["items"][0])


def test_cost_table_shows_line_items_subtotals_total_and_which_assumptions_are_defaults(capsys, fleet_dir):
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir))
    assert code == 0
    assert "processing subtotal" in out and "$117.07" in out
    assert out.count("TOTAL") == 1 and "$236.10" in out
    assert "trafficDevices = 1000  (set in the stack)" in out
    assert "trafficPayloadBytes = 512  (default)" in out
    assert "line items at $0.00 not shown" in out


def test_cost_over_budget_exits_1_and_within_exits_0(capsys, fleet_dir):
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--budget", "100")
    assert code == 1 and "OVER budget: $236.10 against $100.00" in out
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--budget", "1000")
    assert code == 0 and "within budget" in out


def test_cost_with_another_price_file_uses_its_region_and_prices(capsys, fleet_dir, tmp_path):
    """t4g.medium at $0.0372/h instead of $0.0336: the broker tier rises by 730 x $0.0036 = $2.628."""
    prices = tmp_path / "eu.json"
    prices.write_text(json.dumps({"region": "eu-west-1", "ec2": {"instances": {"t4g.medium": {"on_demand_hourly": 0.0372}}}}))
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--json", "--prices", str(prices))
    doc = json.loads(out)
    assert code == 0 and doc["region"] == "eu-west-1"
    assert doc["tiers"]["heavy-compute (broker)"] == pytest.approx(26.928 + 2.628, abs=0.01)
    # the stack is us-east-1's and most prices used are still the bundled us-east-1 ones: both said
    assert doc["warnings"][0] == f"the stack deploys to us-east-1, but {prices} gives eu-west-1 prices"
    assert "of the prices used are the bundled us-east-1 ones, not eu-west-1's" in doc["warnings"][1]


def test_cost_errors_exit_2_with_what_was_wrong(capsys, fleet_dir, tmp_path):
    code, _, err = run(capsys, "cost", "--stack", "nope", "--program", str(fleet_dir))
    assert code == 2 and "no stack file Pulumi.nope.yaml" in err and "badtraffic, defaults, euwest, test" in err
    code, _, err = run(capsys, "cost", "--stack", "badtraffic", "--program", str(fleet_dir))
    assert code == 2 and "trafficDevices='lots'" in err
    code, _, err = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--prices", str(tmp_path / "x.json"))
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, "cost")
    assert code == 2 and "--stack NAME is required" in err


def test_seed_table_prints_the_markdown_comparison(capsys):
    code, out, _ = run(capsys, "cost", "--seed-table")
    assert code == 0
    assert "| 1M | $0.20 | $12.42 | $1.17 | $25.00 | $18.02 (1 task) | $35.00 | $31.01 (1 instance; RI $19.05) |" in out


def test_advise_places_a_short_event_workload_on_lambda_and_prices_all_three(capsys):
    code, out, _ = run(capsys, "advise", "--trigger", "event", "--max-duration", "30",
                       "--messages-per-day", "1000000", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["placement"] == "lambda"
    assert [s["number"] for s in doc["steps"]] == [0, 1, 2]
    by = {o["service"]: o for o in doc["options"]}
    # 30,416,667 x ($0.20/M + 0.1 s x 0.25 GB x $0.0000166667) = $6.0833 + $12.6736 = $18.76
    assert by["lambda"]["monthly_usd"] == pytest.approx(18.76)
    assert by["fargate"]["monthly_usd"] == pytest.approx(18.02)
    assert by["ec2"]["vs_placement_usd"] == pytest.approx(31.01 - 18.76, abs=0.01)


def test_advise_says_gpu_on_lambda_and_fargate_is_not_possible_with_the_reason(capsys):
    code, out, _ = run(capsys, "advise", "--gpu", "--trigger", "continuous")
    assert code == 0
    assert "Placement: EC2" in out
    assert "step 0: needs a GPU, durable local disk, or more than 200 GiB of local storage? yes (a GPU) -> EC2" in out
    assert "not possible" in out and "Lambda has no GPUs" in out and "Fargate offers no GPUs" in out
    assert "g4dn.xlarge" in out


def test_advise_says_a_unit_over_lambdas_limit_cannot_run_on_lambda(capsys):
    code, out, _ = run(capsys, "advise", "--max-duration", "3600", "--messages-per-day", "24", "--json")
    doc = json.loads(out)
    assert doc["placement"] == "ec2"
    lam = next(o for o in doc["options"] if o["service"] == "lambda")
    assert lam["possible"] is False and lam["monthly_usd"] is None
    assert "3600 s is over Lambda's 1,800 s limit" in lam["reason"]


def test_advise_rejects_bad_input_with_the_allowed_values(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["advise", "--trigger", "sometimes"])
    assert exc.value.code == 2
    assert "invalid choice: 'sometimes'" in capsys.readouterr().err
    code, _, err = run(capsys, "advise", "--memory-mb", "64")
    assert code == 2 and "Lambda allows 128 to 10240 MB" in err
