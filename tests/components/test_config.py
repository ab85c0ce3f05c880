"""Stack settings: parsed, validated up front, and one clear message per mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pulumi
import pytest
import yaml

from iot_tiers.components.config import ConfigError, all_settings, load_stack_settings
from tools.config_docs import config_block, markdown_table
from iot_tiers.offline.harness import ProgramError, run_stack
from support import REPO_ROOT

REPO = REPO_ROOT


@pytest.mark.parametrize("key, value, expected", [
    ("processingMemoryMb", "64", "a whole number of MB from 128 to 10240"),
    ("processingMemoryMb", "10241", "a whole number of MB from 128 to 10240"),
    ("processingMemoryMb", "lots", "expected a whole number"),
    ("processingTimeoutS", "901", "from 1 to 899: the decision rule puts work that runs 900 s or longer on EC2"),
    # 900 s is not "under 15 minutes": the rule would place it on EC2, so the tier refuses it up front.
    ("processingTimeoutS", "900", "from 1 to 899"),
    ("processingLogRetentionDays", "8", "one of the periods CloudWatch Logs accepts: 1, 3, 5, 7, 14"),
    ("processingPointInTimeRecovery", "yes", "expected true or false"),
    ("processingTopicFilter", "devices/#", "exactly one '+' level and no '#'"),
    ("environment", "staging-ish", "one of: development, production"),
])
def test_a_bad_value_names_the_stack_key_value_and_what_is_allowed(key, value, expected):
    with pytest.raises(ConfigError) as err:
        load_stack_settings("dev", {f"iot-tiers:{key}": value})
    message = str(err.value)
    assert "stack 'dev'" in message
    assert f"iot-tiers:{key}=" in message and value in message
    assert expected in message


def test_a_misspelt_key_is_refused_with_a_suggestion():
    with pytest.raises(ConfigError) as err:
        load_stack_settings("prod", {"iot-tiers:processingMemoryMB": "512"})
    assert "iot-tiers:processingMemoryMB is not a setting" in str(err.value)
    assert "did you mean iot-tiers:processingMemoryMb?" in str(err.value)


def test_rules_across_keys_name_the_config_keys():
    with pytest.raises(ConfigError) as err:
        load_stack_settings("dev", {"iot-tiers:processingBatchSize": "500", "iot-tiers:processingBatchWindowS": "0",
                                    "iot-tiers:processingProvisionedConcurrency": "20",
                                    "iot-tiers:processingReservedConcurrency": "10"})
    message = str(err.value)
    assert "iot-tiers:processingBatchSize=500 needs batch_window_s >= 1" in message
    assert "iot-tiers:processingProvisionedConcurrency=20 exceeds" in message


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as err:
        load_stack_settings("dev", {"iot-tiers:processingMemoryMb": "1", "iot-tiers:processingTimeoutS": "0"})
    assert len(err.value.problems) == 2


def test_other_namespaces_are_left_to_their_providers():
    settings = load_stack_settings("dev", {"aws:region": "eu-west-1"})
    assert settings["processing"]["memory_mb"] == 256


def test_defaults_come_from_the_one_table():
    settings = load_stack_settings("dev", {})
    for s in all_settings():
        assert settings[s.tier][s.arg] == s.default


def test_pulumi_yaml_declares_every_key_the_program_reads():
    declared = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    assert declared == config_block(), "regenerate with: python -m tools.config_docs yaml"


def test_the_configuration_reference_documents_every_key():
    reference = (REPO / "docs" / "configuration.md").read_text()
    assert markdown_table() in reference, "regenerate with: python -m tools.config_docs update"


def _program_copy(tmp_path: Path, stack: str, config: dict) -> Path:
    """The repo's program with one extra stack file (the components come from the package)."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_a_third_environment_needs_only_a_stack_file(tmp_path):
    program = _program_copy(tmp_path, "staging", {
        "aws:region": "eu-central-1",
        "iot-tiers:environment": "production",
        "iot-tiers:realtimeCertificateArn":
            "arn:aws:acm:eu-central-1:246813579024:certificate/11111111-2222-3333-4444-555555555555",
        "iot-tiers:processingMemoryMb": 512,
        "iot-tiers:processingLogRetentionDays": 30,
    })
    capture = run_stack(program, "staging")
    fn = next(r for r in capture.resources if r.name == "processing-function")
    assert fn.inputs["memorySize"] == 512
    assert fn.inputs["tags"]["iot-tiers:stack"] == "staging"
    log = next(r for r in capture.resources if r.type == "aws:cloudwatch/logGroup:LogGroup"
               and "/processing/" in r.inputs.get("name", ""))
    assert log.inputs["retentionInDays"] == 30
    assert capture.outputs["alert_topic_arn"].startswith("arn:aws:sns:eu-central-1:")


def test_a_bad_stack_file_stops_the_program_with_the_message_and_no_traceback(tmp_path):
    program = _program_copy(tmp_path, "broken", {"iot-tiers:processingTimeoutS": 1200})
    with pytest.raises(ProgramError) as err:
        run_stack(program, "broken")
    assert err.value.config_error
    text = str(err.value)
    assert "stack 'broken'" in text and "iot-tiers:processingTimeoutS=1200" in text
    assert "Traceback" not in text


def test_config_error_is_a_pulumi_run_error_so_the_cli_prints_no_traceback():
    # pulumi's language host prints a RunError's message alone.
    assert issubclass(ConfigError, pulumi.RunError)


def test_tiers_preview_reports_a_config_mistake_with_exit_2_and_no_traceback(tmp_path, capsys):
    from iot_tiers.cli import main

    program = _program_copy(tmp_path, "qa", {"iot-tiers:processingMemoryMb": 64, "iot-tiers:realtimeCpu": 300})
    code = main(["preview", "--stack", "qa", "--program", str(program)])
    err = capsys.readouterr().err
    assert code == 2
    assert "invalid configuration for stack 'qa'" in err
    assert "iot-tiers:processingMemoryMb=64 is not allowed: a whole number of MB from 128 to 10240" in err
    assert "iot-tiers:realtimeCpu=300 is not allowed: one of the Fargate CPU sizes" in err
    assert "Traceback" not in err
