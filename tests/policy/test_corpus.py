"""The corpus: programs written the way other teams write Pulumi, each previewed with no stack file.

Every folder of ``corpus/`` holds a program and, beside it, ``expected.yaml``: where each
workload runs, where the decision rule places it and the step that decides (written from
ENGINEERING.md's rule before the pack was run on the program). The test previews each as
``tiers preview --json`` does and checks both what the report says about each workload and
what the pack itself reports on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from iot_tiers.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
PROGRAMS = sorted(p for p in CORPUS.iterdir() if (p / "Pulumi.yaml").exists())

#: The placement policy a verdict shows up as (None: no placement violation at all).
VERDICT_POLICY = {"pass": None, "misplaced": "placement-workload-service", "exempted": "placement-exempted",
                  "undeclared": "placement-profile-declared", "not-assessed": "placement-not-assessed"}
LABELS = {"lambda": "Lambda", "fargate": "ECS Fargate", "ec2": "EC2"}


def test_the_corpus_has_at_least_25_programs_and_none_has_a_stack_file():
    assert len(PROGRAMS) >= 25
    for program in PROGRAMS:
        assert not list(program.glob("Pulumi.*.yaml")), program.name
        assert (program / "expected.yaml").exists(), program.name


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_program_previews_as_a_new_stack_and_gets_its_expected_placement(capsys, program):
    expected = yaml.safe_load((program / "expected.yaml").read_text())["workloads"]
    code = main(["preview", "--stack", "dev", "--program", str(program), "--json"])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert "error" not in doc, doc.get("error")
    mandatory = [v for v in doc["violations"] if v["level"] == "mandatory"]
    assert code == (1 if mandatory else 0), err
    assert doc["summary"]["newStack"] is True

    got = {(p["name"], p["type"]): p for p in doc["placements"] if p["verdict"] != "ecs-capacity"}
    assert set(got) == {(name, w["type"]) for name, w in expected.items()}
    for name, want in expected.items():
        p = got[(name, want["type"])]
        assert (p["runsOn"], p["placedOn"], p["step"], p["verdict"]) == \
            (want["runs_on"], want["placed_on"], want["step"], want["verdict"]), (name, p["why"])

        # The pack, spoken to over its own protocol, says the same about the resource.
        on_it = [v for v in doc["violations"] if v["urn"] == p["urn"] and v["policy"].startswith("placement-")]
        policies = {v["policy"] for v in on_it}
        assert policies == ({VERDICT_POLICY[want["verdict"]]} | set(want.get("also", []))) - {None}, \
            (name, [v["message"] for v in on_it])
        if want["verdict"] in ("misplaced", "exempted"):
            [message] = [v["message"] for v in on_it if v["policy"] == VERDICT_POLICY[want["verdict"]]]
            assert f"places it on {LABELS[want['placed_on']]}" in message
            assert f"step {want['step']}:" in message and f"-> {LABELS[want['placed_on']]}" in message
