"""The repo's stacks and the team example ask AWS for nothing it refuses.

Each captured resource goes through the same checker the policy pack runs
(``iot_tiers_policy.aws_rules``): every input, and every name Pulumi would generate,
against botocore's model of the API call that creates it and the rules AWS documents,
then the rules that span resources. Inputs are taken twice: as ``pulumi up`` sends
them (every value known) and as a first ``pulumi preview`` does (values computed by
other resources unknown).
"""

from __future__ import annotations

import pytest

from iot_tiers.offline.harness import Capture, run_stack
from iot_tiers.offline.preflight import engine_resources
from iot_tiers_policy.aws_rules import check_resource, check_stack, supported
from iot_tiers_policy.graph import Graph, Node
from support import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "team-telemetry"


def findings(capture: Capture, unknowns: str) -> tuple[list[str], set[str]]:
    """Every violation in ``capture`` as 'resource: message', and the resource types checked."""
    resources = [r for r in engine_resources(capture, unknowns)
                 if r.type.startswith("aws:") and r.type != "pulumi:pulumi:Stack"]
    found, checked = [], set()
    for r in resources:
        if supported(r.type):
            checked.add(r.type)
            found += [f"{r.name}: {v.message}" for v in check_resource(r.type, r.name, r.properties).violations]
    graph = Graph(Node(r.urn, r.type, r.name, r.properties, r.parent, r.dependencies, r.property_dependencies)
                  for r in resources)
    found += [f"{urn.rsplit('::', 1)[-1]}: {v.message}" for v, urn in check_stack(graph)]
    return found, checked


@pytest.fixture(scope="module")
def example() -> Capture:
    return run_stack(EXAMPLE, "dev")


@pytest.fixture
def captures(dev_stack, prod_stack, example) -> dict[str, Capture]:
    return {"dev": dev_stack, "prod": prod_stack, "team-telemetry": example}


@pytest.mark.parametrize("unknowns", ["known", "first-preview"])
@pytest.mark.parametrize("stack", ["dev", "prod", "team-telemetry"])
def test_no_input_of_the_stack_is_one_aws_refuses(captures, stack, unknowns):
    found, _ = findings(captures[stack], unknowns)
    assert found == []


@pytest.mark.parametrize("stack", ["dev", "prod", "team-telemetry"])
def test_every_aws_resource_type_the_stack_creates_is_checked(captures, stack):
    """Nothing is clean merely because no rule knew it: every aws type is mapped to its API calls."""
    capture = captures[stack]
    created = {r.type for r in capture.resources if r.custom and r.type.startswith("aws:")}
    _, checked = findings(capture, "known")
    assert checked == created
    assert len(created) >= {"dev": 40, "prod": 45, "team-telemetry": 12}[stack]


def test_the_snapshot_policy_and_alb_group_texts_are_ones_aws_accepts(dev_stack, prod_stack):
    """The three inputs AWS refused before the fix (DLM description and schedule name, the ALB group's text)."""
    for capture in (dev_stack, prod_stack):
        dlm = capture.one("aws:dlm/lifecyclePolicy:LifecyclePolicy")
        sg = next(r for r in capture.by_type("aws:ec2/securityGroup:SecurityGroup") if r.name == "realtime-alb-sg")
        for r in (dlm, sg):
            assert check_resource(r.type, r.name, r.inputs).violations == []
        # The same resources with the old texts are refused: the check above is not vacuous.
        old = dict(dlm.inputs, description="heavy-timeseries: data volume every 24 h, keep 3")
        assert [v.input for v in check_resource(dlm.type, dlm.name, old).violations] == ["description"]
        old = dict(sg.inputs, description="realtime: dashboards to the bridge's load balancer")
        assert [v.input for v in check_resource(sg.type, sg.name, old).violations] == ["description"]


LONG_NAMES = """
from iot_tiers import HeavyComputeTier, RealtimeTier
NET = {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-a", "subnet-b"], "public_subnet_ids": ["subnet-c", "subnet-d"]}
RealtimeTier("dashboard-bridge-eu", {**NET, "environment": "development"})
HeavyComputeTier("heavy-broker", {"role": "broker", "vpc_id": "vpc-0abc", "subnet_ids": ["subnet-a"],
                                  "vpc_cidr": "10.0.0.0/16", "load_balancer": True})
"""


@pytest.mark.parametrize("unknowns", ["known", "first-preview"])
def test_a_long_tier_name_still_gives_load_balancers_names_aws_accepts(tmp_path, unknowns):
    # "<tier>-target-group" + Pulumi's 7 random characters would pass ELB's 32: the tier
    # gives such children a name prefix instead (the stack's own heavy broker was one).
    (tmp_path / "Pulumi.yaml").write_text("name: long-names\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(LONG_NAMES)
    capture = run_stack(tmp_path, "dev")
    found, checked = findings(capture, unknowns)
    assert {"aws:lb/targetGroup:TargetGroup", "aws:lb/loadBalancer:LoadBalancer"} <= checked
    assert found == []
    prefixes = {r.name: r.inputs.get("namePrefix") for r in capture.resources if r.type == "aws:lb/targetGroup:TargetGroup"}
    assert prefixes == {"dashboard-bridge-eu-target-group": "dashbo", "heavy-broker-target-group": "heavy-"}
