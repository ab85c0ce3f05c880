"""`tiers preview` on programs we did not write: the whole report, always, and exit codes that mean what they say."""

from __future__ import annotations

import json

from iot_tiers.cli import main

from support import REPO_ROOT

CORPUS = REPO_ROOT / "tests" / "policy" / "corpus"


def preview(capsys, program, *extra, stack="dev"):
    code = main(["preview", "--stack", stack, "--program", str(program), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_unknown_values_are_a_stable_marker_in_json(capsys):
    code, out, _ = preview(capsys, CORPUS / "stackref_secrets_invokes", "--json")
    doc = json.loads(out)
    relay = next(r for r in doc["resources"] if r["name"] == "pager-relay")
    assert relay["inputs"]["subnetId"] == "<unknown>"
    assert "pulumi.output.Unknown" not in out and code in (0, 1)


def test_the_report_says_where_the_rule_places_each_workload(capsys):
    code, out, _ = preview(capsys, CORPUS / "dict_loop_workers")
    assert code == 1
    assert "Placement by the decision rule (3 workloads)" in out
    assert "✓ orders-worker: pass: runs on Lambda, the rule places it on Lambda (step 2)" in out
    assert "✗ statements-worker: misplaced: runs on Lambda, the rule places it on EC2 (step 3)" in out
    assert "No Pulumi.dev.yaml: previewed as a new stack" in out


def test_a_cost_model_that_fails_leaves_the_report_whole(capsys, monkeypatch):
    import iot_tiers.offline.costing as costing

    def broken(capture, *a, **kw):
        raise KeyError("t9.huge")

    monkeypatch.setattr(costing, "estimate_capture", broken)
    development = ("-c", "iot-tiers:environment=development")  # the pack's development profile: no finding blocks
    code, out, _ = preview(capsys, CORPUS / "lambda_kinesis", *development)
    assert code == 0 and "Estimated monthly cost: not available (KeyError: 't9.huge')" in out
    assert out.rstrip().endswith("PASSED")
    code, out, _ = preview(capsys, CORPUS / "lambda_kinesis", "--json", *development)
    assert json.loads(out)["summary"]["monthlyCost"] == {"error": "KeyError: 't9.huge'"}


def test_an_internal_error_is_exit_2_and_says_it_is_ours_never_exit_1(capsys, monkeypatch):
    import iot_tiers.offline.preflight as preflight

    def broken(*a, **kw):
        raise RuntimeError("bug in the preflight")

    monkeypatch.setattr(preflight, "run_preview", broken)
    code, out, err = preview(capsys, CORPUS / "lambda_kinesis", "--json")
    assert code == 2
    assert json.loads(out)["error"]["kind"].startswith("internal error")
    assert "RuntimeError: bug in the preflight" in err


def test_a_broken_program_is_exit_2_naming_the_programs_own_error(capsys, tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi_aws as aws\naws.sqs.Queue('q', visibility_timeout_seconds=int('ten'))\n")
    code, _, err = preview(capsys, tmp_path)
    assert code == 2
    assert "ValueError: invalid literal for int() with base 10: 'ten'" in err and "__main__.py" in err
    assert "iot_tiers/offline" not in err
