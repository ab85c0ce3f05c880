"""Placement: every compute resource runs on the service the decision rule assigns it.

One evaluation, :func:`assess`, gives every workload of the stack its verdict (where
it runs, where the rule places it, the deciding step, and why). Five policies report
from it:

* ``placement-workload-service`` — the rule places the workload on another service;
  the message names both services and the chain of rule steps.
* ``placement-profile-declared`` — a compute resource with no declared and no
  inferable profile (the rule cannot be applied to it).
* ``placement-profile-consistent`` — a profile tag outside the contract, an
  exemption without a reason, or a declared tag the graph contradicts.
* ``placement-exempted`` — advisory: a misplacement accepted by a
  ``workload:exemption`` tag, reported with its reason.
* ``placement-not-assessed`` — advisory: compute the rule does not name (App Runner,
  AWS Batch, EKS node groups, Step Functions activities, Lightsail...), reported so
  that it is never passed silently.

Unknown at preview is never a pass: a fact the verdict depends on that cannot be
read yet is reported as a violation of the policy that needed it. A workload whose
inputs break the evaluation is a "could not evaluate" violation of
``placement-workload-service`` on that resource; the others are still judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from pulumi_policy import EnforcementLevel, Severity

from . import decision as d
from ._util import failure_reason, stack_policy
from .graph import Graph
from .stack_checks import exempted_findings, exempted_policy
from .workload import PLACEMENT_CONFIG, Workload, rule_settings, unassessed, workloads

WORKLOAD_SERVICE = "placement-workload-service"
PROFILE_DECLARED = "placement-profile-declared"
PROFILE_CONSISTENT = "placement-profile-consistent"
EXEMPTED = "placement-exempted"
NOT_ASSESSED = "placement-not-assessed"

#: Verdicts of :class:`Verdict`.
PASS, MISPLACED, EXEMPT, UNDECLARED, UNVERIFIED, INVALID, NOT_ASSESSED_VERDICT, ERROR, CAPACITY = (
    "pass", "misplaced", "exempted", "undeclared", "unverified", "invalid", "not-assessed", "could-not-evaluate",
    "ecs-capacity")


@dataclass
class Finding:
    policy: str
    urn: str
    message: str


@dataclass
class Verdict:
    """What the decision rule says about one workload (or why it says nothing)."""

    urn: str
    type: str
    name: str
    #: The service it runs on (None when unknown at preview or not a service the rule names).
    runs_on: Optional[d.Service]
    #: Where the rule places it, and the deciding step (None when the rule cannot be applied).
    placed_on: Optional[d.Service]
    step: Optional[int]
    verdict: str
    #: The rule's chain of steps, or the reason there is no placement.
    why: str
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "name": self.name,
                "runsOn": self.runs_on.value if self.runs_on else None,
                "placedOn": self.placed_on.value if self.placed_on else None,
                "step": self.step, "verdict": self.verdict, "why": self.why,
                "policies": sorted({f.policy for f in self.findings})}


def _misplacement(w: Workload, placement: d.Placement, why: list[str]) -> str:
    assert w.on is not None
    return (f"{w.label} runs on {w.on.label}, but the decision rule places it on "
            f"{placement.service.label}. Why: {placement.explain()}. Profile: {', '.join(why)}.")


def _judge(w: Workload, config: dict[str, Any]) -> Verdict:
    """The verdict on one workload and the findings behind it."""
    node = w.node
    v = Verdict(node.urn, node.type, node.name, w.on, None, None, PASS, "")
    add = (lambda policy, message: v.findings.append(Finding(policy, node.urn, message)))
    if w.error:
        v.verdict, v.why = ERROR, f"could not evaluate: {w.error}"
        add(WORKLOAD_SERVICE, f"{w.label}: could not evaluate its placement: {w.error}")
        return v
    if w.tag_error:
        add(PROFILE_CONSISTENT, f"{w.label}: {w.tag_error}")
    if w.exemption_error:
        add(PROFILE_CONSISTENT, f"{w.label}: {w.exemption_error}; it is judged as not exempted")
    for c in w.contradictions():
        add(PROFILE_CONSISTENT, f"{w.label} {c}")
    unverifiable = w.unverifiable_declarations()
    if unverifiable and not w.tag_error:
        add(PROFILE_CONSISTENT, f"{w.label}: cannot verify {'; '.join(unverifiable)} (unknown at preview); an "
                                f"unverified declaration is not a pass.")
    if w.is_ecs_capacity:
        # Capacity for ECS services: those services are the workloads, not the group.
        v.verdict, v.why = CAPACITY, "capacity of an ECS capacity provider: the services it runs are the workloads"
        return v
    profile, why, missing = w.effective()
    if profile is None:
        v.verdict, v.why = (INVALID, w.tag_error) if w.tag_error else (UNDECLARED, f"{', '.join(missing)} missing")
        if not w.tag_error:
            unknown = w.placement_unknowns()
            add(PROFILE_DECLARED,
                f"{w.label} has no workload profile: {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not declared and cannot be inferred"
                + (f" (known: {', '.join(why)})" if why else "")
                + (f"; unknown at preview: {', '.join(unknown)}" if unknown else "")
                + ". Tag it with the workload:* profile tags.")
        return v
    placement = d.place(profile, **rule_settings(config))
    v.placed_on, v.step, v.why = placement.service, placement.step, placement.explain()
    if w.tag_error:
        v.verdict = INVALID
        return v
    unknown = w.placement_unknowns()
    if unknown or w.on is None:
        v.verdict = UNVERIFIED
        add(WORKLOAD_SERVICE, f"{w.label}: placement cannot be verified at preview because "
                              f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} unknown; an "
                              f"unverified placement is not a pass. Declare the affected workload:* tags or make "
                              f"the values known.")
        return v
    if placement.service is w.on:
        return v
    message = _misplacement(w, placement, why)
    if w.declared.exemption:
        v.verdict = EXEMPT
        add(EXEMPTED, f"exempted ({d.TAG_EXEMPTION}: {w.declared.exemption}): {message}")
    else:
        v.verdict = MISPLACED
        add(WORKLOAD_SERVICE, message)
    return v


def assess(graph: Graph, config: dict[str, Any]) -> list[Verdict]:
    """Every workload's verdict, in graph order, then compute the rule does not assess.

    ECS capacity (an auto-scaling group behind a capacity provider) is no workload of
    its own (the services it runs are): its verdict is ``ecs-capacity``, and only its
    tags are checked. One workload that breaks the evaluation is a "could not
    evaluate" verdict; the others are still judged.
    """
    out: list[Verdict] = []
    for w in workloads(graph, config):
        try:
            out.append(_judge(w, config))
        except Exception as exc:  # one workload's odd inputs never hide the others' verdicts
            reason = failure_reason(exc)
            out.append(Verdict(w.node.urn, w.node.type, w.node.name, w.on, None, None, ERROR,
                               f"could not evaluate: {reason}",
                               [Finding(WORKLOAD_SERVICE, w.node.urn,
                                        f"{w.label}: could not evaluate its placement: {reason}")]))
    for node, kind in unassessed(graph):
        out.append(Verdict(node.urn, node.type, node.name, None, None, None, NOT_ASSESSED_VERDICT,
                           f"{kind}: not assessed by the decision rule", [Finding(
                               NOT_ASSESSED, node.urn,
                               f"{kind} '{node.name}' is compute the decision rule does not name, so it is not "
                               f"assessed by the decision rule (the rule places Lambda functions, ECS services and "
                               f"task definitions, EC2 instances, launch templates and auto-scaling groups). "
                               f"Review where it runs by hand, or build it on a service the rule assesses.")]))
    return out


def findings(graph: Graph, config: dict[str, Any]) -> Iterator[Finding]:
    """Every placement finding of the stack, for all five policies."""
    for v in assess(graph, config):
        yield from v.findings


def _for(policy: str):
    def check(graph: Graph, config: dict[str, Any]):
        for f in findings(graph, config):
            if f.policy == policy:
                yield f.message, f.urn
    return check


def _exempted(graph: Graph, config: dict[str, Any]):
    yield from _for(EXEMPTED)(graph, config)
    yield from exempted_findings(graph, config)


_RULE = ("0: GPU, durable local disk or more than 200 GiB of local storage -> EC2; 1: persistent connections -> "
         "ECS Fargate; 2: event-triggered and under the rule's 900 s threshold -> Lambda; 3: anything else -> EC2")

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
                    "tag is contradicted by the resource graph (a WebSocket API, a GPU instance type, durable "
                    "volumes, a Lambda timeout).",
        severity=Severity.HIGH,
        remediation="Correct the tag the message names so it describes the workload as built (or change what "
                    "is built); give every workload:exemption tag a reason.",
        check=_for(PROFILE_CONSISTENT), config=PLACEMENT_CONFIG),
    exempted_policy(
        name=EXEMPTED, findings="placement finding (rule, GPU capacity)",
        remediation="Review the exemption's reason; remove the tag once the workload has moved.",
        check=_exempted, config=PLACEMENT_CONFIG),
    stack_policy(
        name=NOT_ASSESSED,
        description="Compute the decision rule does not name (App Runner, AWS Batch, EKS node groups and Fargate "
                    "profiles, Step Functions activities, Lightsail, Elastic Beanstalk, EMR, Glue, SageMaker "
                    "endpoints, EC2 spot requests and fleets) is reported as not assessed, never passed silently.",
        severity=Severity.LOW,
        remediation="Review where the workload runs by hand against the decision rule, or build it on a service "
                    "the rule assesses (Lambda, ECS, EC2 instances and auto-scaling groups).",
        check=_for(NOT_ASSESSED), config=PLACEMENT_CONFIG,
        enforcement_level=EnforcementLevel.ADVISORY),
]
