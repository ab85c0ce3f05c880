"""The pack applies its environment's profile itself: a plain `pulumi preview --policy-pack policies`
(no --policy-pack-config) of each stack gets the verdict `tiers preview` gives it (issue 15, item 9).

Every preview here runs the pack in its own process and speaks the analyzer protocol to it as
the CLI does, with no policy config unless the test passes one: the profile comes from the
pack's own initial config, chosen from the stack config the engine hands it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel

from iot_tiers.offline.analyzer import PolicyPackClient, reconcile_config
from iot_tiers.offline.preflight import engine_resources, run_preview
from iot_tiers_policy import pack_policies
from iot_tiers_policy.environment import (
    CONSISTENT, DECLARED, DEVELOPMENT, PRODUCTION, Choice, choose, choose_from_process, declared_environment,
    initial_config,
)

from .conftest import PACK, REPO
from support import TEST_CERTIFICATE_CONFIG


def verdict(result) -> set[tuple[str, str, str]]:
    """(policy, resource name, level) of every violation."""
    names = {r.urn: r.name for r in result.resources}
    return {(v.policy, names.get(v.urn, "stack"), v.level) for v in result.violations}


def mandatory(result) -> set[tuple[str, str]]:
    return {(p, n) for p, n, level in verdict(result) if level == "mandatory"}


STACK_CONFIG = {"dev": {}, "prod": TEST_CERTIFICATE_CONFIG}


@pytest.fixture(scope="module", params=["dev", "prod"])
def plain_and_pinned(request):
    """The repo's stack previewed with no policy config, and with its profile passed as a config file
    (what `tiers preview` passed by default before the pack chose for itself)."""
    stack = request.param
    extra = STACK_CONFIG[stack]
    plain = run_preview(REPO, stack, pack_dir=PACK, extra_config=extra)
    pinned = run_preview(REPO, stack, pack_dir=PACK, extra_config=extra,
                         policy_config=PACK / "config" / f"{stack}.json")
    return stack, plain, pinned


def test_a_plain_preview_of_each_stack_gives_its_profiles_verdict(plain_and_pinned):
    stack, plain, pinned = plain_and_pinned
    assert plain.policy_config_path is None
    assert verdict(plain) == verdict(pinned)
    assert mandatory(plain) == set() and plain.passed
    assert plain.environment.environment == {"dev": DEVELOPMENT, "prod": PRODUCTION}[stack]


def judge(capture, config: dict) -> set[tuple[str, str]]:
    """The mandatory (policy, resource) pairs of the pack started for ``capture`` with stack config ``config``."""
    resources = engine_resources(capture)
    names = {r.urn: r.name for r in resources}
    with PolicyPackClient(PACK, project=capture.project, stack=capture.stack, config=config) as client:
        client.handshake_and_configure_stack()
        client.configure(reconcile_config(client.analyzer_info(), {}))
        found = [d for r in resources if r.type != "pulumi:pulumi:Stack" and not r.type.startswith("pulumi:providers:")
                 for d in client.analyze(r)] + client.analyze_stack(resources)
    return {(d.policy, names.get(d.urn, "stack")) for d in found if d.level == "mandatory"}


def test_without_the_development_profile_the_dev_stack_is_blocked(dev_stack):
    """The pack started for the dev stack's resources with a stack config that declares no environment
    applies the strict set: what a real preview did before the pack chose its profile itself."""
    config = {k: v for k, v in dev_stack.config.items() if k != "iot-tiers:environment"}
    blocked = judge(dev_stack, config)
    assert {("security-lb-access-logs", "realtime-alb"), ("reliability-multi-az", "realtime-service"),
            ("security-dynamodb-point-in-time-recovery", "processing-table"),
            ("security-lb-https-listeners", "realtime-listener-http")} <= blocked
    assert judge(dev_stack, dev_stack.config) == set()


def test_an_explicit_policy_config_overrides_the_profile_entry_by_entry(tmp_path):
    """A level equal to the policy's own (mandatory) and a threshold, each over the dev profile's relaxation;
    the entries the file does not name keep the profile's."""
    config = tmp_path / "stricter.json"
    config.write_text(json.dumps({"security-lb-access-logs": "mandatory",
                                  "security-logs-retention": {"minRetentionDays": 30}}))
    result = run_preview(REPO, "dev", pack_dir=PACK, policy_config=config)
    blocked = mandatory(result)
    assert ("security-lb-access-logs", "realtime-alb") in blocked
    assert {n for p, n in blocked if p == "security-logs-retention"} >= {"processing-log-group", "realtime-log-group"}
    assert ("security-lb-deletion-protection", "realtime-alb", "advisory") in verdict(result)
    assert not {p for p, _ in blocked} - {"security-lb-access-logs", "security-logs-retention"}


# ---------------------------------------------------------------- a team's program

TABLE = """
import pulumi_aws as aws

aws.dynamodb.Table("readings", attributes=[{{"name": "pk", "type": "S"}}], hash_key="pk",
                   billing_mode="PAY_PER_REQUEST", tags={tags!r})
"""


def team_program(tmp_path: Path, *, tags: dict, config: dict) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: readings\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(TABLE.format(tags=tags))
    lines = "".join(f"  {k}: {v}\n" for k, v in config.items())
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n" + lines)
    return tmp_path


def on_table(result, policy: str) -> set[str]:
    return {level for p, n, level in verdict(result) if p == policy and n == "readings"}


def stack_messages(result, policy: str) -> list[str]:
    return [v.message for v in result.violations if v.policy == policy and not v.urn]


def test_a_program_that_declares_no_environment_gets_the_strict_set_and_an_advisory_saying_so(tmp_path):
    """Stack 'dev', no environment in its config or its tags: production's rules, whatever the stack's name."""
    result = run_preview(team_program(tmp_path, tags={"team": "fleet"}, config={}), "dev", pack_dir=PACK)
    assert result.environment == Choice(PRODUCTION)
    assert on_table(result, "security-dynamodb-point-in-time-recovery") == {"mandatory"}
    [message] = stack_messages(result, DECLARED)
    assert "production, the strict set (the stack config declares no environment)" in message
    assert "no resource declares one in its tags either" in message
    assert "pulumi config set environment <development|production>" in message
    assert {v.level for v in result.violations if v.policy == DECLARED} == {"advisory"}


def test_tags_the_pack_cannot_see_in_time_are_named_in_the_advisory(tmp_path):
    result = run_preview(team_program(tmp_path, tags={"Environment": "dev"}, config={}), "dev", pack_dir=PACK)
    assert on_table(result, "security-dynamodb-point-in-time-recovery") == {"mandatory"}
    [message] = stack_messages(result, DECLARED)
    assert "1 resource(s) declare Environment=dev in their tags" in message


def test_a_stack_config_that_declares_development_relaxes_the_team_program(tmp_path):
    program = team_program(tmp_path, tags={"team": "fleet"}, config={"iot-tiers:environment": "development"})
    result = run_preview(program, "dev", pack_dir=PACK)
    assert result.environment.declared and result.environment.environment == DEVELOPMENT
    assert on_table(result, "security-dynamodb-point-in-time-recovery") == {"advisory"}
    assert not [v for v in result.violations if v.policy in (DECLARED, CONSISTENT)]


def test_a_resource_declaring_production_under_developments_rules_is_blocked(tmp_path):
    program = team_program(tmp_path, tags={"environment": "production"},
                           config={"readings:environment": "dev"})
    result = run_preview(program, "dev", pack_dir=PACK)
    assert result.environment == Choice(DEVELOPMENT, "readings:environment", "dev")
    [message] = stack_messages(result, CONSISTENT)
    assert {v.level for v in result.violations if v.policy == CONSISTENT} == {"mandatory"}
    assert "1 resource(s) declare a stricter environment (environment=production)" in message
    assert "'readings'" in message and not result.passed


# ---------------------------------------------------------------- the choice and the profiles themselves

@pytest.mark.parametrize("config,expected", [
    ({"iot-tiers:environment": "development"}, Choice(DEVELOPMENT, "iot-tiers:environment", "development")),
    ({"iot-tiers:environment": "Prod"}, Choice(PRODUCTION, "iot-tiers:environment", "Prod")),
    ({"iot-tiers:environment": "staging"}, Choice(PRODUCTION, "iot-tiers:environment", "staging")),
    ({"fleet:environment": "dev"}, Choice(DEVELOPMENT, "fleet:environment", "dev")),
    ({"fleet:environment": "dev", "iot-tiers:environment": "production"},
     Choice(PRODUCTION, "iot-tiers:environment", "production")),
    ({"other:environment": "dev", "aws:region": "us-east-1"}, Choice(PRODUCTION)),
])
def test_the_environment_is_chosen_from_the_stack_config(config, expected):
    assert choose(config, "fleet") == expected


def test_a_pack_started_with_no_stack_config_applies_the_strict_set():
    assert choose_from_process({}) == Choice(PRODUCTION)
    assert choose_from_process({"PULUMI_CONFIG": json.dumps({"iot-tiers:environment": "dev"}),
                                "PULUMI_PROJECT": "x"}).environment == DEVELOPMENT


def test_every_profile_entry_carries_a_level_and_names_a_policy_of_the_pack(tmp_path):
    """The engine reads an initial-config entry without a level as advisory (the protobuf default):
    a threshold-only entry must keep the policy's own level."""
    policies = pack_policies()
    for env in (DEVELOPMENT, PRODUCTION):
        config = initial_config(policies, Choice(env))
        assert config and all(isinstance(e["enforcementLevel"], EnforcementLevel) for e in config.values())
    (tmp_path / "prod.json").write_text(json.dumps({"security-logs-retention": {"minRetentionDays": 60}}))
    [entry] = initial_config(policies, Choice(PRODUCTION), tmp_path).values()
    assert entry == {"enforcementLevel": EnforcementLevel.MANDATORY, "minRetentionDays": 60}
    (tmp_path / "prod.json").write_text(json.dumps({"security-no-such-policy": "advisory"}))
    with pytest.raises(ValueError, match="names 'security-no-such-policy', which is not a policy of the pack"):
        initial_config(policies, Choice(PRODUCTION), tmp_path)


@pytest.mark.parametrize("tags,expected", [
    ({"iot-tiers:environment": "production", "environment": "dev"}, ("iot-tiers:environment", "production")),
    ({"ENV": "dev"}, ("ENV", "dev")),
    ([{"key": "Stage", "value": "prod", "propagateAtLaunch": True}], ("Stage", "prod")),
    ({"team": "fleet"}, None),
    ({"environment": ""}, None),
])
def test_a_resource_declares_its_environment_in_a_tag(tags, expected):
    assert declared_environment({"tags": tags}) == expected
