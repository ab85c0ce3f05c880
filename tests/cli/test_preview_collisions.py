"""`tiers preview --stack A --stack B`: the physical names two stacks would both create."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from iot_tiers.cli import main

from support import REPO_ROOT as REPO, TEST_CERTIFICATE_ARGS

#: A team's program as people write it: a hard-coded queue and role name, an auto-named topic.
TEAM_PROGRAM = '''
import json
import pulumi
import pulumi_aws as aws

queue = aws.sqs.Queue("orders", name="orders-queue", sqs_managed_sse_enabled=True)
role = aws.iam.Role("worker", name="orders-worker", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "lambda.amazonaws.com"}}]}))
topic = aws.sns.Topic("events")
# IAM names are unique whatever their case: "Orders-Worker" in one stack clashes with "orders-worker".
other = aws.iam.Role("auditor", name=pulumi.Config().get("auditorRole") or "auditor-a",
                     assume_role_policy=role.assume_role_policy)
pulumi.export("queue", queue.url)
'''


@pytest.fixture
def team_program(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: orders\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(TEAM_PROGRAM))
    for stack, region in (("staging", "us-east-1"), ("prod", "us-east-1"), ("eu", "eu-west-1")):
        auditor = "Auditor-A" if stack == "prod" else "auditor-a"
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(f"config:\n  aws:region: {region}\n  orders:auditorRole: {auditor}\n")
    return tmp_path


def preview_many(capsys, program: Path, *stacks: str, json_out: bool = True, extra=()):
    argv = ["preview", "--program", str(program), *extra]
    for s in stacks:
        argv += ["--stack", s]
    code = main(argv + (["--json"] if json_out else []))
    out, _ = capsys.readouterr()
    return code, (json.loads(out) if json_out else out)


def test_the_repos_dev_and_prod_create_no_name_in_common(capsys):
    # The test certificate is config for both stacks: dev ignores it (plain HTTP), prod needs one.
    code, doc = preview_many(capsys, REPO, "dev", "prod", extra=TEST_CERTIFICATE_ARGS)
    assert code == 0
    assert [s["stack"] for s in doc["stacks"]] == ["dev", "prod"]
    assert doc["collisions"] == []


def test_two_stacks_of_a_program_with_hard_coded_names_collide_on_exactly_those(capsys, team_program):
    code, doc = preview_many(capsys, team_program, "staging", "prod")
    assert code == 1  # the second `pulumi up` would fail
    found = {(c["type"], c["name"]) for c in doc["collisions"]}
    assert found == {("aws:sqs/queue:Queue", "orders-queue"), ("aws:iam/role:Role", "orders-worker"),
                     ("aws:iam/role:Role", "auditor-a")}
    for c in doc["collisions"]:
        assert [r["stack"] for r in c["resources"]] == ["orders/staging", "orders/prod"]


def test_regional_names_in_two_regions_do_not_collide_but_iam_names_still_do(capsys, team_program):
    code, doc = preview_many(capsys, team_program, "staging", "eu")
    assert code == 1
    assert {(c["type"], c["name"]) for c in doc["collisions"]} == {("aws:iam/role:Role", "orders-worker"),
                                                                     ("aws:iam/role:Role", "auditor-a")}


def test_the_readable_report_names_each_collision_and_both_stacks(capsys, team_program):
    code, out = preview_many(capsys, team_program, "staging", "prod", json_out=False)
    assert code == 1
    assert "Preview of stack 'staging'" in out and "Preview of stack 'prod'" in out
    assert "'orders-queue'" in out and "orders/staging" in out and "orders/prod" in out
    assert "orders-worker" in out and "events" not in out.split("Physical names shared")[1]


def test_one_stack_keeps_the_single_stack_json_shape(capsys):
    code = main(["preview", "--stack", "dev", "--program", str(REPO), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["stack"] == "dev" and "collisions" not in doc


@pytest.mark.parametrize("a, b, overlap", [
    ("devices/+/telemetry", "devices/+/telemetry", True),
    ("devices/+/telemetry", "devices/d1/telemetry", True),
    ("devices/#", "devices/d1/telemetry", True),
    ("devices/#", "devices", True),          # "#" also matches its parent level
    ("dev/devices/+/telemetry", "devices/+/telemetry", False),
    ("devices/+/telemetry", "devices/+/status", False),
    ("devices/+", "devices/+/telemetry", False),
])
def test_mqtt_filter_overlap_at_its_edges(a, b, overlap):
    from iot_tiers.offline.collisions import filters_overlap

    assert filters_overlap(a, b) is overlap and filters_overlap(b, a) is overlap


def test_the_repos_stacks_in_one_region_are_told_their_rules_read_each_others_devices(capsys):
    code, doc = preview_many(capsys, REPO, "dev", "prod", extra=TEST_CERTIFICATE_ARGS)
    assert code == 0  # advice: both deploy
    [shared] = doc["sharedTopics"]
    assert shared["filters"] == ["devices/+/telemetry", "devices/+/telemetry"]
    assert [r["stack"] for r in shared["rules"]] == ["iot-tiers/dev", "iot-tiers/prod"]
