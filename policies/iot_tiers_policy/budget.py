"""Budget policies: the stack's estimated monthly cost stays within budget, and says when it is incomplete.

``cost-monthly-budget`` prices the stack's resources with the cost model in
:mod:`.cost` (the same one ``tiers cost`` uses) for the traffic assumptions in
the policy config, and reports a violation when the total exceeds
``monthlyBudgetUsd``. A budget is per environment: each environment's policy
config file sets its own (and prod makes the policy mandatory). Without a
``monthlyBudgetUsd`` the policy has nothing to check and passes.

``cost-estimate-complete`` (advisory) reports the resources the model could not
price (a type it has no price model for, a price the table lacks, inputs that make
no sense) and by how much the estimate could be off, so a budget verdict over an
incomplete estimate is never taken for a complete one.

Config of the budget policy (every key optional)::

    "cost-monthly-budget": {
        "enforcementLevel": "mandatory",
        "monthlyBudgetUsd": 250,
        "trafficDevices": 5000,
        "trafficMessagesPerDevicePerHour": 60
    }

The traffic keys are the stack config's (``components/config/traffic.py``) and
default the same; keep them equal to the stack's so the pack prices the same
load as ``tiers cost``.
"""

from __future__ import annotations

from typing import Any, Iterator

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ReportViolation, Severity, StackValidationArgs, \
    StackValidationPolicy

from ._util import stack_policy
from .cost import Estimate, Traffic, estimate, load_prices
from .cost.traffic import FIELDS
from .graph import Graph

NAME = "cost-monthly-budget"
COMPLETE = "cost-estimate-complete"
BUDGET_KEY = "monthlyBudgetUsd"


def _schema() -> PolicyConfigSchema:
    props = {
        BUDGET_KEY: {"type": "number", "minimum": 0,
                     "description": "Monthly budget for this stack in USD; over it is a violation."},
    }
    for f in FIELDS:
        props[f.key] = {"type": "integer" if f.kind == "integer" else "number", "minimum": f.lo, "maximum": f.hi,
                        "default": f.default, "description": f.description}
    return PolicyConfigSchema(properties=props)


def _caveats(est: Estimate) -> str:
    """What the verdict stands on: the warnings (region, estimated rates, unpriced) and the EC2 source."""
    parts = [w[0].upper() + w[1:] + "." for w in est.warnings]
    if est.ec2_source_line:
        parts.append(est.ec2_source_line + ".")
    return (" " + " ".join(parts)) if parts else ""


def check_budget(resources, config) -> list[str]:
    """The violation messages for ``resources`` (PolicyResources, views or nodes) under ``config``; [] within budget."""
    budget = (config or {}).get(BUDGET_KEY)
    if budget is None:
        return []
    try:
        traffic = Traffic.from_config({k: v for k, v in config.items() if k.startswith("traffic")})
    except ValueError as exc:
        return [f"{NAME}: {exc}"]
    est = estimate(list(resources), traffic, load_prices())
    if est.total <= float(budget):
        return []
    tiers = ", ".join(f"{t} ${usd:,.2f}" for t, usd in sorted(est.tiers().items(), key=lambda kv: -kv[1]))
    top = "; ".join(f"{i.resource} {i.service} {i.item} ${i.usd:,.2f}" for i in est.top(3))
    return [f"estimated ${est.total:,.2f}/month exceeds the budget of ${float(budget):,.2f}/month "
            f"(by ${est.total - float(budget):,.2f}) for {traffic.devices:,} devices at "
            f"{traffic.messages_per_device_per_hour:,} msg/hour each. By tier: {tiers}. Largest items: {top}. "
            f"Run `tiers cost` for every line item, then resize or raise {BUDGET_KEY}.{_caveats(est)}"]


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for message in check_budget(list(args.resources), dict(args.get_config() or {})):
        report_violation(message, None)


def check_complete(graph: Graph, _config: Any) -> Iterator[tuple[str, str]]:
    """One message per resource the model could not price, and the bound on what they could add."""
    est = estimate(graph.nodes)
    unpriced = est.unpriced()
    if not unpriced:
        return
    bound = est.unpriced_bound()
    by = "an unknown amount" if bound is None else f"up to ${bound:,.2f}/month"
    yield (f"the cost estimate (${est.total:,.2f}/month) is incomplete: {len(unpriced)} resource(s) could not be "
           f"priced, so it could be low by {by}: "
           + "; ".join(f"{r.name} ({r.type}): {r.reason}" for r in unpriced)
           + ". Budget verdicts on this stack leave them out.", None)
    for r in unpriced:
        yield f"not priced: {r.reason}", r.urn


monthly_budget = StackValidationPolicy(
    name=NAME,
    description="The stack's estimated monthly cost (resources x traffic assumptions, list prices) "
                "stays within the environment's monthlyBudgetUsd.",
    validate=_validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=_schema(),
    severity=Severity.MEDIUM,
    remediation_steps="Run `tiers cost --stack <name>` to see the line items; shrink the largest (instance "
                      "sizes, task counts, provisioned concurrency, NAT gateways), cover always-on capacity "
                      "with reservations, or raise monthlyBudgetUsd in the environment's policy config if "
                      "the spend is intended.",
)

estimate_complete = stack_policy(
    name=COMPLETE,
    description="Every resource that costs money is priced by the cost model, so the budget verdict "
                "covers the whole stack.",
    severity=Severity.LOW,
    remediation="Run `tiers cost --stack <name>` to see why each resource is not priced: add a missing instance "
                "type's price with --prices FILE, fix inputs AWS would refuse, or accept the gap for a type the "
                "model has no price for yet (the reason says which).",
    check=check_complete,
    enforcement_level=EnforcementLevel.ADVISORY,
)

#: The budget policies, for the pack's ``PolicyPack(policies=...)``.
POLICIES = [monthly_budget, estimate_complete]
