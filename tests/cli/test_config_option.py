"""``-c/--config KEY=VALUE`` on ``tiers preview`` and ``tiers cost``: stack config for one run, as
``pulumi preview --config`` takes it (issue 15, item 4: prod carries no certificate any more)."""

from __future__ import annotations

import json

import pytest

from iot_tiers.cli import main

from support import REPO_ROOT as REPO, TEST_CERTIFICATE_ARGS, TEST_CERTIFICATE_ARN

SERVICE = "aws:ecs/service:Service"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def resource(doc: dict, typ: str, **inputs) -> list[dict]:
    return [r for r in doc["resources"] if r["type"] == typ
            and all(r["inputs"].get(k) == v for k, v in inputs.items())]


def test_prod_without_a_certificate_is_a_config_error_that_says_what_to_set(capsys):
    code, _, err = run(capsys, "preview", "--stack", "prod", "--program", str(REPO))
    assert code == 2
    assert "iot-tiers:realtimeCertificateArn is empty" in err
    assert "pulumi config set iot-tiers:realtimeCertificateArn <arn> --stack prod" in err


def test_prod_previews_with_the_certificate_given_on_the_command_line(capsys):
    code, out, _ = run(capsys, "preview", "--stack", "prod", "--program", str(REPO), "--json", *TEST_CERTIFICATE_ARGS)
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["mandatory"] == 0
    [https] = resource(doc, "aws:lb/listener:Listener", port=443)
    assert https["inputs"]["certificateArn"] == TEST_CERTIFICATE_ARN


def test_a_config_value_overrides_the_stack_file_and_a_bare_key_is_the_projects(capsys):
    code, out, _ = run(capsys, "preview", "--stack", "dev", "--program", str(REPO), "--json")
    assert code == 0 and resource(json.loads(out), SERVICE)[0]["inputs"]["desiredCount"] == 1
    code, out, _ = run(capsys, "preview", "--stack", "dev", "--program", str(REPO), "--json",
                       "-c", "realtimeDesiredCount=3", "--config", "iot-tiers:realtimeDesiredCount=2")
    assert code == 0 and resource(json.loads(out), SERVICE)[0]["inputs"]["desiredCount"] == 2


def test_tiers_cost_takes_the_same_option(capsys):
    code, out, _ = run(capsys, "cost", "--stack", "dev", "--program", str(REPO), "--json")
    before = json.loads(out)["total_usd"]
    code, out, _ = run(capsys, "cost", "--stack", "dev", "--program", str(REPO), "--json",
                       "-c", "iot-tiers:realtimeDesiredCount=2", "-c", "iot-tiers:realtimeMinCount=2")
    assert code == 0 and json.loads(out)["total_usd"] > before
    code, _, err = run(capsys, "cost", "--stack", "prod", "--program", str(REPO))
    assert code == 2 and "iot-tiers:realtimeCertificateArn is empty" in err
    code, _, _ = run(capsys, "cost", "--stack", "prod", "--program", str(REPO), *TEST_CERTIFICATE_ARGS)
    assert code == 0


@pytest.mark.parametrize("pair", ["realtimeDesiredCount", "=3", ":x=1"])
def test_a_config_argument_without_key_and_value_is_a_usage_error(capsys, pair):
    with pytest.raises(SystemExit) as exit_:
        main(["preview", "--stack", "dev", "--program", str(REPO), "-c", pair])
    assert exit_.value.code == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err
