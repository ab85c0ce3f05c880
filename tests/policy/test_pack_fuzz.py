"""Property: whatever a program registers, the whole pack answers and nothing escapes it.

Hypothesis builds resource graphs of every resource type the pack reads (every type token
its modules name, found by reading them) with arbitrary input values: wrong types, nulls,
the engine's unknown sentinel, huge strings, nested garbage, and the property names the
policies look for. The whole pack runs over each graph through its protocol, as the CLI
runs it: every ``Analyze`` and the ``AnalyzeStack`` must answer (a policy that fails is a
"could not evaluate" violation, never a failed call), and the placement and reliability
policies must not even need that safety net.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iot_tiers.offline.analyzer import UNKNOWN, Resource

from .conftest import PACK, STACK_URN, urn

SOURCES = sorted((PACK / "iot_tiers_policy").rglob("*.py"))
_TEXT = "\n".join(p.read_text() for p in SOURCES)
#: Every resource type the pack's modules name.
TYPES = sorted(set(re.findall(r'"((?:aws|awsx):[A-Za-z0-9/]+:[A-Za-z0-9]+)"', _TEXT)))
#: Every camelCase property name the modules mention (policies read these).
KEYS = sorted({k for k in re.findall(r'"([a-z][a-zA-Z0-9]{2,40})"', _TEXT)} | {"tags", "name"})
#: Properties the placement inference reads, drawn more often than the rest.
FOCUS = ["tags", "timeout", "instanceType", "launchType", "containerDefinitions", "rootBlockDevice",
         "blockDeviceMappings", "ebsBlockDevices", "ephemeralBlockDevices", "protocolType", "requiresCompatibilities",
         "capacityProviderStrategies", "networkConfiguration", "desiredCount", "ephemeralStorage",
         "taskDefinitionArgs", "policy", "inlinePolicies", "visibilityTimeoutSeconds", "mixedInstancesPolicy",
         "vpcZoneIdentifiers", "subnets", "size", "volumes", "tagSpecifications", "defaultCapacityProviderStrategies",
         "numberOfAvailabilityZones", "availabilityZoneNames", "availabilityZone", "vpcConfig", "maxCapacity",
         "minCapacity", "multiAz", "subnetMappings", "availabilityZones"]
COMPUTE = [t for t in TYPES if t.split(":")[-1] in ("Function", "Service", "TaskDefinition", "Instance", "Group",
                                                      "LaunchTemplate", "FargateService", "EC2Service")]
#: Our own policies, which must not need the fail-soft net.
OURS = ("placement-", "reliability-")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.just(UNKNOWN), st.text(max_size=20), st.text(min_size=5000, max_size=20000).map(lambda s: s[:20000]),
    st.sampled_from(["FARGATE", "EC2", "WEBSOCKET", "true", "false", "g5.xlarge", "m7i.large", "persistent",
                     "event", "continuous", "-1", "1e9", "[]", "{}", "not json", "ephemeral0", "/dev/xvda"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5)),
    max_leaves=12,
)
_TAG_VALUES = {
    "workload:connections": ["persistent", "none"], "workload:trigger": ["event", "continuous"],
    "workload:max-duration": ["30", "899", "900", "1200", "2400"], "workload:gpu": ["true", "false"],
    "workload:disk-gb": ["0", "50", "500"], "workload:exemption": ["", " ", "moves in Q3"],
    "iot-tiers:containers": ["bridge=a", "bridge=a broker=eclipse-mosquitto:2"],
}


@st.composite
def profile_tags(draw):
    """Profile tags, each maybe present, mostly with allowed values, sometimes with garbage."""
    out = {}
    for key, allowed in _TAG_VALUES.items():
        if draw(st.integers(0, 3)):
            out[key] = draw(st.sampled_from(allowed) | st.sampled_from(allowed) | values)
    return out


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 6))
    nodes = []
    for i in range(n):
        # The first is compute with a usable profile, so that every verdict of the rule meets
        # garbage; then half of them compute.
        typ = draw(st.sampled_from(COMPUTE) if i == 0 else st.sampled_from(COMPUTE) | st.sampled_from(TYPES))
        props = {**draw(st.dictionaries(st.sampled_from(KEYS), values, max_size=4)),
                 **draw(st.dictionaries(st.sampled_from(FOCUS), values, max_size=6))}
        if i == 0:
            props["tags"] = {**draw(profile_tags()),
                             "workload:connections": draw(st.sampled_from(["persistent", "none"])),
                             "workload:trigger": draw(st.sampled_from(["event", "continuous"]))}
        elif draw(st.integers(0, 3)):
            props["tags"] = draw(profile_tags() | profile_tags() | values)
        nodes.append((typ, f"r{i}", props))
    resources = []
    for typ, name, props in nodes:
        targets = draw(st.lists(st.sampled_from(nodes), max_size=3))
        prop_deps: dict[str, list[str]] = {}
        for t in targets:
            prop_deps.setdefault(draw(st.sampled_from(FOCUS + ["role", "taskRoleArn", "functionName", "apiId",
                                                                 "cluster", "launchTemplate", "instanceId",
                                                                 "volumeId", "eventSourceArn", "policyArn",
                                                                 "iamInstanceProfile", "resourceId"])),
                                 []).append(urn(t[0], t[1]))
        parent = draw(st.sampled_from([STACK_URN] + [urn(t, nm) for t, nm, _ in nodes if nm != name]))
        resources.append(Resource(urn=urn(typ, name), type=typ, name=name, properties=props, parent=parent,
                                  dependencies=sorted({u for v in prop_deps.values() for u in v}),
                                  property_dependencies=prop_deps))
    return resources


def test_the_pack_reads_many_resource_types():
    assert len(TYPES) >= 40 and "aws:lambda/function:Function" in TYPES and "awsx:ecs:FargateService" in TYPES


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(graph=graphs())
def test_no_input_makes_the_pack_fail_and_our_policies_never_need_the_net(default_config, graph):
    diagnostics = []
    for r in graph:
        diagnostics.extend(default_config.analyze(r))  # an AnalyzerError here is an escaped exception
    diagnostics.extend(default_config.analyze_stack(graph))
    for d in diagnostics:
        assert d.policy and isinstance(d.message, str)
    ours = [(d.policy, d.message) for d in diagnostics if d.policy.startswith(OURS) and "could not evaluate" in d.message]
    assert ours == []
