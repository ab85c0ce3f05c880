"""Placement: every compute resource runs on the service the decision rule assigns it.

Four policies share one evaluation (:func:`findings`):

* ``placement-workload-service`` — the rule places the workload on another service;
  the message names both services and the chain of rule steps.
* ``placement-profile-declared`` — a compute resource with no declared and no
  inferable profile (the rule cannot be applied to it).
* ``placement-profile-consistent`` — a profile tag outside the contract, an
  exemption without a reason, or a declared tag the graph contradicts.
* ``placement-exempted`` — advisory: a misplacement accepted by a
  ``workload:exemption`` tag, reported with its reason.

Unknown at preview is never a pass: a fact the verdict depends on that cannot be
read yet is reported as a violation of the policy that needed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Optional

from pulumi_policy import EnforcementLevel, Severity

from . import decision as d
from ._util import stack_policy
from .graph import Graph
from .stack_checks import MULTI_AZ_CONFIG, exempted_findings
from .workload import PLACEMENT_CONFIG, Workload, workloads

WORKLOAD_SERVICE = "placement-workload-service"
PROFILE_DECLARED = "placement-profile-declared"
PROFILE_CONSISTENT = "placement-profile-consistent"
EXEMPTED = "placement-exempted"


@dataclass
class Finding:
    policy: str
    urn: str
    message: str


def _misplacement(w: Workload, profile: d.WorkloadProfile, why: list[str]) -> Optional[str]:
    placement = d.place(profile)
    if w.on is None or placement.service is w.on:
        return None
    return (f"{w.label} runs on {w.on.label}, but the decision rule places it on "
            f"{placement.service.label}. Why: {placement.explain()}. Profile: {', '.join(why)}.")


def findings(graph: Graph, config: dict[str, Any]) -> Iterator[Finding]:
    """Every placement finding of the stack, for all four policies."""
    for w in workloads(graph, config):
        urn = w.node.urn
        if w.tag_error:
            yield Finding(PROFILE_CONSISTENT, urn, f"{w.label}: {w.tag_error}")
        for c in w.contradictions():
            yield Finding(PROFILE_CONSISTENT, urn, f"{w.label} {c}")
        unverifiable = w.unverifiable_declarations()
        if unverifiable and not w.tag_error:
            yield Finding(PROFILE_CONSISTENT, urn,
                          f"{w.label}: cannot verify {'; '.join(unverifiable)} (unknown at preview); an "
                          f"unverified declaration is not a pass.")
        if w.is_ecs_capacity:
            continue  # capacity for ECS services: those services are the workloads
        profile, why, missing = w.effective()
        if profile is None:
            if not w.tag_error:
                yield Finding(PROFILE_DECLARED, urn,
                              f"{w.label} has no workload profile: {', '.join(missing)} "
                              f"{'is' if len(missing) == 1 else 'are'} not declared and cannot be inferred"
                              + (f" (known: {', '.join(why)})" if why else "")
                              + (f"; unknown at preview: {', '.join(w.placement_unknowns())}"
                                 if w.placement_unknowns() else "")
                              + ". Tag it with the workload:* profile tags.")
            continue
        if w.tag_error:
            continue
        unknown = w.placement_unknowns()
        if unknown or w.on is None:
            yield Finding(WORKLOAD_SERVICE, urn,
                          f"{w.label}: placement cannot be verified at preview because "
                          f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} unknown; an "
                          f"unverified placement is not a pass. Declare the affected workload:* tags or make "
                          f"the values known.")
            continue
        message = _misplacement(w, profile, why)
        if message is None:
            continue
        if w.declared.exemption:
            yield Finding(EXEMPTED, urn, f"exempted ({d.TAG_EXEMPTION}: {w.declared.exemption}): {message}")
        else:
            yield Finding(WORKLOAD_SERVICE, urn, message)


def _for(policy: str):
    def check(graph: Graph, config: dict[str, Any]):
        for f in findings(graph, config):
            if f.policy == policy:
                yield f.message, f.urn
    return check


def _exempted(graph: Graph, config: dict[str, Any]):
    yield from _for(EXEMPTED)(graph, config)
    yield from exempted_findings(graph, config)


EXEMPTED_CONFIG = {**PLACEMENT_CONFIG, **MULTI_AZ_CONFIG, "checkMultiAz": {
    "type": "boolean", "default": True,
    "description": "Also report exempted multi-AZ findings (turn off where placement-multi-az-prod is disabled)."}}

_RULE = ("0: GPU or durable local disk -> EC2; 1: persistent connections -> ECS Fargate; "
         "2: event-triggered and under 900 s -> Lambda; 3: anything else -> EC2")

POLICIES = [
    stack_policy(
        name=WORKLOAD_SERVICE,
        description="Each compute workload runs on the service the decision rule assigns it "
                    f"({_RULE}).",
        severity=Severity.HIGH,
        remediation="Move the workload to the service the message names (the iot-tiers components: "
                    "RealtimeTier for Fargate, ProcessingTier for Lambda, HeavyComputeTier for EC2), or fix "
                    "its workload:* tags if they misdescribe it. If the placement is a deliberate exception, "
                    "tag it workload:exemption=<reason>; it is then reported as advisory.",
        check=_for(WORKLOAD_SERVICE), config=PLACEMENT_CONFIG),
    stack_policy(
        name=PROFILE_DECLARED,
        description="Every Lambda function, ECS service or task definition, EC2 instance, launch template and "
                    "auto-scaling group declares its workload profile (workload:connections, workload:trigger), "
                    "unless the resource graph shows it.",
        severity=Severity.MEDIUM,
        remediation="Add the workload:connections (persistent|none) and workload:trigger (event|continuous) tags, "
                    "and workload:max-duration (seconds) for event work; the iot-tiers components do this for "
                    "you (components/tags.py).",
        check=_for(PROFILE_DECLARED), config=PLACEMENT_CONFIG),
    stack_policy(
        name=PROFILE_CONSISTENT,
        description="Workload profile tags hold allowed values, exemptions state a reason, and no declared "
                    "tag is contradicted by the resource graph (a WebSocket API, a GPU instance type, large "
                    "volumes, a Lambda timeout).",
        severity=Severity.HIGH,
        remediation="Correct the tag the message names so it describes the workload as built (or change what "
                    "is built); give every workload:exemption tag a reason.",
        check=_for(PROFILE_CONSISTENT), config=PLACEMENT_CONFIG),
    stack_policy(
        name=EXEMPTED,
        description="A placement finding (rule, GPU capacity, multi-AZ) on a resource with a reasoned "
                    "workload:exemption tag: reported with its reason, never blocking.",
        severity=Severity.LOW,
        remediation="Review the exemption's reason; remove the tag once the workload has moved.",
        check=_exempted, config=EXEMPTED_CONFIG,
        enforcement_level=EnforcementLevel.ADVISORY),
]
