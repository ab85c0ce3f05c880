"""Names AWS requires to be unique in an account and region carry the project and the stack.

A second stack (or a second team's project) in the same account must not create a name the
first already holds: AWS answers ResourceAlreadyExists and the `pulumi up` fails. The limits
come from botocore's installed service models, not from our own constants.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import botocore.session
import pulumi
import pytest

from iot_tiers.components import names
from iot_tiers.offline.harness import Capture, run_stack

#: Resource type -> the input holding a fixed physical name, and the botocore member it becomes.
NAMED = {
    "aws:iot/topicRule:TopicRule": ("name", ("iot", "CreateTopicRuleRequest", "ruleName")),
    "aws:cloudwatch/logGroup:LogGroup": ("name", ("logs", "CreateLogGroupRequest", "logGroupName")),
    "aws:ecs/service:Service": ("name", None),
    "aws:ecs/taskDefinition:TaskDefinition": ("family", None),
    "aws:appautoscaling/policy:Policy": ("name", ("application-autoscaling", "PutScalingPolicyRequest",
                                                  "PolicyName")),
}


def fixed_names(stack: Capture) -> dict[tuple[str, str], str]:
    found = {}
    for r in stack.resources:
        if r.type in NAMED and isinstance(r.inputs.get(NAMED[r.type][0]), str):
            found[(r.type, r.inputs[NAMED[r.type][0]])] = r.urn
    return found


def model_member(service: str, shape: str, member: str) -> dict:
    model = botocore.session.get_session().get_service_model(service)
    return model.shape_for(shape).members[member].metadata


@pytest.fixture(scope="module")
def other_project(tmp_path_factory, repo_root) -> Capture:
    """The repo's dev stack as a second team would run it: the same program and stack file in a
    project of another name."""
    program = tmp_path_factory.mktemp("team-b")
    for f in ("__main__.py", "Pulumi.dev.yaml"):
        shutil.copy(repo_root / f, program / f)
    (program / "Pulumi.yaml").write_text(
        (repo_root / "Pulumi.yaml").read_text().replace("name: iot-tiers", "name: team-b", 1))
    return run_stack(program, "dev")


def test_dev_and_prod_share_no_fixed_physical_name(dev_stack, prod_stack):
    dev, prod = fixed_names(dev_stack), fixed_names(prod_stack)
    assert dev and prod, "the stacks should fix some names (rule, log groups, service)"
    assert not set(dev) & set(prod)


def test_two_projects_running_the_same_stack_share_no_fixed_physical_name(dev_stack, other_project):
    ours, theirs = fixed_names(dev_stack), fixed_names(other_project)
    assert len(ours) == len(theirs)
    assert not set(ours) & set(theirs)


def test_every_fixed_name_names_its_project_and_stack(dev_stack, prod_stack):
    for stack, stack_name in ((dev_stack, "dev"), (prod_stack, "prod")):
        for (_, name), urn in fixed_names(stack).items():
            assert re.search(rf"iot.tiers.{stack_name}", name), (urn, name)


def test_fixed_names_meet_the_models_pattern_and_length(dev_stack, prod_stack):
    for stack in (dev_stack, prod_stack):
        for (typ, name), urn in fixed_names(stack).items():
            where = NAMED[typ][1]
            if where is None:  # ECS: the API reference's rule (the model gives no pattern)
                assert re.fullmatch(r"[A-Za-z0-9_-]{1,255}", name), (urn, name)
                continue
            meta = model_member(*where)
            assert meta.get("min", 1) <= len(name) <= meta["max"], (urn, name)
            if "pattern" in meta and "\\p" not in meta["pattern"]:
                assert re.fullmatch(meta["pattern"].lstrip("^").rstrip("$"), name), (urn, name)


def test_the_iot_rule_no_longer_has_the_same_name_in_every_stack(dev_stack, prod_stack):
    rules = [r.inputs["name"] for s in (dev_stack, prod_stack) for r in s.resources
             if r.type == "aws:iot/topicRule:TopicRule"]
    assert len(rules) == 2 and "processing_telemetry" not in rules and len(set(rules)) == 2


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return args.name, args.inputs

    def call(self, args):
        return {}


@pytest.mark.parametrize("project,stack", [("p" * 200, "s" * 200), ("team.b", "prod-eu")])
def test_names_that_would_overflow_or_break_the_charset_are_made_valid_and_stay_distinct(project, stack):
    pulumi.runtime.set_mocks(_Mocks(), project=project, stack=stack, preview=True)
    rule = names.iot_rule_name("processing", "telemetry")
    log = names.log_group_name("processing", "telemetry")
    ecs = names.ecs_name("realtime")
    rule_meta = model_member("iot", "CreateTopicRuleRequest", "ruleName")
    assert len(rule) <= rule_meta["max"] and re.fullmatch(r"[a-zA-Z0-9_]+", rule)
    assert len(log) <= model_member("logs", "CreateLogGroupRequest", "logGroupName")["max"]
    assert re.fullmatch(r"[.\-_/#A-Za-z0-9]+", log)
    assert len(ecs) <= 255 and re.fullmatch(r"[A-Za-z0-9_-]+", ecs)
    # The bridge's MQTT client id is <service>-<32-hex ECS task id>, at most 128 bytes (IoT Core):
    # the task id must survive whole, or two tasks would share one session.
    assert len(f"{ecs}-{'0' * 32}".encode()) <= 128
    # Shortening is deterministic and keeps two long names apart.
    assert names.iot_rule_name("processing", "telemetry") == rule
    assert names.iot_rule_name("processing2", "telemetry") != rule


def test_each_stacks_lambda_metrics_carry_their_own_service_dimension(dev_stack, prod_stack):
    services = set()
    for stack in (dev_stack, prod_stack):
        fn = next(r for r in stack.resources if r.type == "aws:lambda/function:Function"
                  and r.name == "processing-function")
        services.add(fn.inputs["environment"]["variables"]["POWERTOOLS_SERVICE_NAME"])
    assert len(services) == 2
