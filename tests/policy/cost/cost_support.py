"""Helpers of the cost tests: the pack's view of a captured stack, and an in-process analyzer.

``policy_resources`` builds ``pulumi_policy.PolicyResource`` objects as the pack's
stack validation receives them. ``analyze_stack`` drives policies through
pulumi_policy's own analyzer servicer (Configure with a policy config file, then
AnalyzeStack with the captured resources as protobuf messages), the path the
Pulumi CLI takes, minus the gRPC transport.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions, _PolicyAnalyzerServicer

from iot_tiers.offline.harness import Capture


def _props(r) -> dict[str, Any]:
    return json.loads(json.dumps({**r.outputs, **r.inputs}, default=str))


def policy_resources(capture: Capture) -> list[PolicyResource]:
    by_urn: dict[str, PolicyResource] = {}
    out = []
    for r in capture.resources:
        opts = PolicyResourceOptions(r.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], r.parent or None)
        pr = PolicyResource(r.type, _props(r), r.urn, r.name, opts, None, None, [], {})
        by_urn[r.urn] = pr
        out.append(pr)
    for r, pr in zip(capture.resources, out):
        pr.parent = by_urn.get(r.parent)
        pr.property_dependencies = {k: [by_urn[u] for u in v if u in by_urn] for k, v in r.property_dependencies.items()}
    return out


LEVELS = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}


def analyze_stack(policies: list, capture: Capture, policy_config: Optional[dict] = None) -> list[dict[str, Any]]:
    """Run ``policies`` over ``capture`` as the CLI would with ``--policy-config`` = ``policy_config``.

    Returns the diagnostics as dicts: policy, level ("advisory"/"mandatory"), message.
    """
    servicer = _PolicyAnalyzerServicer("iot-tiers", "0.1.0", policies, EnforcementLevel.MANDATORY)
    request = proto.ConfigureAnalyzerRequest()
    for name, value in (policy_config or {}).items():
        value = {"enforcementLevel": value} if isinstance(value, str) else dict(value)
        policy = next((p for p in policies if p.name == name), None)
        if policy is None:
            continue
        level = value.pop("enforcementLevel", (policy.enforcement_level or EnforcementLevel.MANDATORY).value)
        props = struct_pb2.Struct()
        props.update(value)
        request.policyConfig[name].CopyFrom(proto.PolicyConfig(enforcementLevel=LEVELS[level], properties=props))
    servicer.Configure(request, None)

    resources = []
    for r in capture.resources:
        props = struct_pb2.Struct()
        props.update(_props(r))
        deps = {k: proto.AnalyzerPropertyDependencies(urns=v) for k, v in r.property_dependencies.items()}
        resources.append(proto.AnalyzerResource(type=r.type, properties=props, urn=r.urn, name=r.name,
                                                parent=r.parent, dependencies=r.dependencies,
                                                propertyDependencies=deps))
    response = servicer.AnalyzeStack(proto.AnalyzeStackRequest(resources=resources), None)
    names = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory"}
    return [{"policy": d.policyName, "level": names.get(d.enforcementLevel, str(d.enforcementLevel)),
             "message": d.message, "urn": d.urn} for d in response.diagnostics]


def load_policy_config(path: Path) -> dict:
    return json.loads(Path(path).read_text())
