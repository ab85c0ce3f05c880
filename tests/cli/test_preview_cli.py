"""``tiers preview`` end to end: fixture programs of raw pulumi_aws resources, the real pack process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iot_tiers.cli import main

from support import REPO_ROOT as REPO, TEST_CERTIFICATE_ARGS

PROGRAMS = REPO / "tests" / "policy" / "programs"


def preview(capsys, program: Path, *extra: str, stack: str = "dev") -> tuple[int, str, str]:
    code = main(["preview", "--stack", stack, "--program", str(program), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def preview_json(capsys, name: str, *extra: str, stack: str = "dev") -> tuple[int, dict]:
    code, out, _ = preview(capsys, PROGRAMS / name, "--json", *extra, stack=stack)
    return code, json.loads(out)


def mandatory(doc: dict) -> dict[str, list[str]]:
    """policy -> names of the resources it blocks."""
    names = {r["urn"]: r["name"] for r in doc["resources"]}
    out: dict[str, list[str]] = {}
    for v in doc["violations"]:
        if v["level"] == "mandatory":
            out.setdefault(v["policy"], []).append(names.get(v["urn"], v["urn"]))
    return out


# program, exit code, {policy: [blocked resource names]}, words in the placement message
VERDICTS = [
    ("websocket_lambda", 1, {"placement-workload-service": ["ws-handler"],
                             "placement-profile-consistent": ["ws-handler"]}, ["ECS Fargate", "WEBSOCKET"]),
    ("fargate_queue_jobs", 1, {"placement-workload-service": ["worker"]}, ["places it on Lambda", "5 s"]),
    ("ec2_websockets", 1, {"placement-workload-service": ["ws-server"]}, ["places it on ECS Fargate"]),
    ("lambda_40_minutes", 1, {"placement-workload-service": ["nightly-etl"],
                              "placement-profile-consistent": ["nightly-etl"]}, ["places it on EC2", "2400 s"]),
    ("lambda_gpu", 1, {"placement-workload-service": ["infer"]}, ["places it on EC2", "a GPU"]),
    ("gpu_event_jobs", 0, {}, []),
    ("undeclared", 1, {"placement-profile-declared": ["mystery"]}, ["no workload profile"]),
    ("exempted", 0, {}, []),
]


@pytest.mark.parametrize("program,code,blocked,words", VERDICTS, ids=[v[0] for v in VERDICTS])
def test_fixture_program_gets_expected_verdict_and_exit_code(capsys, program, code, blocked, words):
    exit_code, doc = preview_json(capsys, program)
    assert exit_code == code
    assert mandatory(doc) == blocked
    placement = " ".join(v["message"] for v in doc["violations"] if v["policy"].startswith("placement-"))
    for word in words:
        assert word in placement


def test_exemption_is_reported_as_advisory_naming_its_reason(capsys):
    code, doc = preview_json(capsys, "exempted")
    [v] = [v for v in doc["violations"] if v["policy"] == "placement-exempted"]
    assert code == 0 and v["level"] == "advisory"
    assert "legacy poller - moves to HeavyComputeTier in Q3 - TICKET-42" in v["message"]


def test_json_output_has_the_contract_shape(capsys):
    code, doc = preview_json(capsys, "fargate_queue_jobs")
    assert {"stack", "resources", "violations", "summary"} <= set(doc)
    assert doc["stack"] == "dev"
    assert all(set(r) == {"urn", "type", "name", "parent", "inputs"} for r in doc["resources"])
    assert all({"policy", "pack", "level", "urn", "message"} <= set(v) for v in doc["violations"])
    assert doc["summary"]["mandatory"] == len([v for v in doc["violations"] if v["level"] == "mandatory"])
    assert doc["summary"]["passed"] is False and doc["summary"]["pack"].startswith("iot-tiers@")
    worker = next(r for r in doc["resources"] if r["type"] == "aws:ecs/service:Service")
    assert worker["inputs"]["tags"]["workload:max-duration"] == "5"


def test_readable_report_shows_tree_violations_and_summary(capsys):
    code, out, _ = preview(capsys, PROGRAMS / "websocket_lambda")
    assert code == 1
    assert "pulumi:pulumi:Stack" in out and "└─ " in out or "├─ " in out
    assert "Mandatory violations (2)" in out and "placement-workload-service" in out
    assert out.rstrip().endswith("FAILED")


def test_first_preview_unknowns_keep_the_verdict_from_the_graph(capsys):
    # The integration URI and the policy document are unknown in a first preview;
    # the dependency edges are not, so the misplacements are still caught.
    for program, policy in (("websocket_lambda", "placement-workload-service"),
                            ("fargate_queue_jobs", "placement-workload-service")):
        code, doc = preview_json(capsys, program, "--unknowns", "first-preview")
        assert code == 1 and policy in mandatory(doc)
        assert doc["summary"]["unknowns"] == "first-preview"


def test_first_preview_sends_dependent_inputs_as_unknowns(capsys):
    from iot_tiers.offline.analyzer import UNKNOWN
    from iot_tiers.offline.harness import run_stack
    from iot_tiers.offline.preflight import engine_resources

    capture = run_stack(PROGRAMS / "fargate_queue_jobs", "dev")
    by_name = {r.name: r for r in engine_resources(capture, "first-preview")}
    assert by_name["worker-consume"].properties["policy"] == UNKNOWN  # embeds the queue's ARN
    assert by_name["worker"].properties["taskDefinition"] == UNKNOWN
    assert by_name["worker"].properties["desiredCount"] == 2  # a literal stays known
    assert by_name["worker"].properties["tags"]["workload:trigger"] == "event"
    known = {r.name: r for r in engine_resources(capture, "known")}
    assert known["worker-consume"].properties["policy"].startswith("{")


def test_broken_program_exits_2_with_its_own_message(capsys):
    code, out, err = preview(capsys, PROGRAMS / "broken")
    assert code == 2
    assert "fleetSize" in err and "Traceback" not in err


def test_a_stack_without_a_stack_file_is_previewed_as_a_new_stack(capsys):
    code, out, _ = preview(capsys, PROGRAMS / "undeclared", stack="nope")
    assert code == 1 and "No Pulumi.nope.yaml: previewed as a new stack" in out
    assert "placement-profile-declared" in out
    code, doc = preview_json(capsys, "undeclared", stack="nope")
    assert code == 1 and doc["summary"]["newStack"] is True and doc["stack"] == "nope"


def test_bad_policy_config_exits_2_naming_the_policy(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"placement-workload-servise": "advisory"}))
    code, _, err = preview(capsys, PROGRAMS / "undeclared", "--policy-config", str(bad))
    assert code == 2 and "placement-workload-servise" in err and "placement-workload-service" in err
    bad.write_text(json.dumps({"reliability-multi-az": {"minAzs": "two"}}))
    code, _, err = preview(capsys, PROGRAMS / "undeclared", "--policy-config", str(bad))
    assert code == 2 and "minAzs" in err
    bad.write_text(json.dumps({"placement-multi-az-prod": "disabled"}))
    code, _, err = preview(capsys, PROGRAMS / "undeclared", "--policy-config", str(bad))
    assert code == 2 and "'placement-multi-az-prod' is now 'reliability-multi-az'" in err


def test_policy_config_relaxes_a_blocking_policy(capsys, tmp_path):
    relaxed = tmp_path / "relaxed.json"
    relaxed.write_text(json.dumps({"placement-profile-declared": "advisory", "reliability-multi-az": "disabled"}))
    code, doc = preview_json(capsys, "undeclared", "--policy-config", str(relaxed))
    assert code == 0 and [v["level"] for v in doc["violations"]] == ["advisory"]


def test_console_script_runs_as_a_subprocess():
    proc = subprocess.run([sys.executable, "-m", "iot_tiers.cli", "preview", "--stack", "dev", "--program",
                           str(PROGRAMS / "gpu_event_jobs"), "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["passed"] is True


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_repo_stack_has_no_mandatory_violation(capsys, stack):
    code, out, _ = preview(capsys, REPO, "--json", *(TEST_CERTIFICATE_ARGS if stack == "prod" else []), stack=stack)
    doc = json.loads(out)
    assert mandatory(doc) == {}, json.dumps([v for v in doc["violations"] if v["level"] == "mandatory"], indent=1)
    assert code == 0


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_repo_stack_passes_a_first_preview_with_unknown_computed_inputs(capsys, stack):
    # A brand-new stack's first `pulumi preview` sees the bridge image digest as unknown;
    # the task definition's declared containers must keep the sidecar check decidable.
    code, out, _ = preview(capsys, REPO, "--json", "--unknowns", "first-preview",
                           *(TEST_CERTIFICATE_ARGS if stack == "prod" else []), stack=stack)
    doc = json.loads(out)
    assert mandatory(doc) == {}, json.dumps([v for v in doc["violations"] if v["level"] == "mandatory"], indent=1)
    assert code == 0
