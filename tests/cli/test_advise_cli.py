"""`tiers advise`: over the rule's 900 s threshold is not impossible on Lambda; over AWS's own limit is."""

from __future__ import annotations

import json

from iot_tiers.cli import main


def advise(capsys, *args):
    code = main(["advise", *args])
    return code, capsys.readouterr().out


def test_a_unit_over_the_rules_threshold_is_placed_on_ec2_but_possible_on_lambda(capsys):
    code, out = advise(capsys, "--max-duration", "1200", "--messages-per-day", "100")
    assert code == 0 and "Placement: EC2" in out
    assert "over the rule's threshold, within Lambda's own 1,800 s limit" in out
    assert ("possible on Lambda (it allows up to 1,800 s), but over the rule's 900 s threshold, so the rule "
            "places it on EC2") in out
    code, out = advise(capsys, "--max-duration", "1200", "--messages-per-day", "100", "--json")
    lam = next(o for o in json.loads(out)["options"] if o["service"] == "lambda")
    assert lam["possible"] is True and lam["monthly_usd"] > 0


def test_a_unit_over_lambdas_own_limit_is_not_possible_there_citing_the_limit(capsys):
    code, out = advise(capsys, "--max-duration", "2000", "--messages-per-day", "100", "--json")
    lam = next(o for o in json.loads(out)["options"] if o["service"] == "lambda")
    assert lam["possible"] is False
    assert "over Lambda's 1,800 s limit" in lam["reason"] and "5,400 s" in lam["reason"]


def test_continuous_work_cites_lambdas_current_limit_not_the_rules_threshold(capsys):
    code, out = advise(capsys, "--trigger", "continuous", "--json")
    lam = next(o for o in json.loads(out)["options"] if o["service"] == "lambda")
    assert "1,800 s" in lam["reason"] and "900" not in lam["reason"]
