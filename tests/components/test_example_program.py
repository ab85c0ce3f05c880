"""The example an internal team would write previews under the same harness."""

from __future__ import annotations

from pathlib import Path

from iot_tiers.offline.harness import run_stack
from support import REPO_ROOT, policy_statements

EXAMPLE = REPO_ROOT / "examples" / "team-telemetry"


def test_team_program_builds_its_own_processing_tier():
    capture = run_stack(EXAMPLE, "dev")
    tier = capture.one("iot-tiers:index:ProcessingTier")
    assert tier.name == "greenhouse"
    rule = next(r for r in capture.descendants(tier.urn) if r.type == "aws:iot/topicRule:TopicRule")
    assert "FROM 'greenhouse/+/readings'" in rule.inputs["sql"]
    fn = next(r for r in capture.descendants(tier.urn) if r.name == "greenhouse-function")
    assert fn.inputs["environment"]["variables"]["ALERT_THRESHOLD_CELSIUS"] == "32"
    assert fn.inputs["memorySize"] == 512
    assert fn.inputs["tags"]["team"] == "greenhouse"
    assert capture.outputs["alerts"].startswith("arn:aws:sns:eu-west-1:")


def test_grant_read_table_scopes_the_teams_role_to_the_table():
    capture = run_stack(EXAMPLE, "dev")
    table = next(r for r in capture.resources if r.type == "aws:dynamodb/table:Table")
    grant = next(r for r in capture.resources if r.name == "greenhouse-read-table-greenhouse-api")
    (stmt,) = policy_statements(grant.inputs["policy"])
    assert stmt["Action"] == ["dynamodb:GetItem", "dynamodb:Query"]
    assert stmt["Resource"] == [table.outputs["arn"]]
