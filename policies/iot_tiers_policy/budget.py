"""Budget policy: the stack's estimated monthly cost must stay within the budget.

``cost-monthly-budget`` prices the stack's resources with the cost model in
:mod:`.cost` (the same one ``tiers cost`` uses) for the traffic assumptions in
the policy config, and reports a violation when the total exceeds
``monthlyBudgetUsd``. A budget is per environment: each environment's policy
config file sets its own (and prod makes the policy mandatory). Without a
``monthlyBudgetUsd`` the policy has nothing to check and passes.

Config (every key optional)::

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

from pulumi_policy import Severity, EnforcementLevel, PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy

from .cost import ResourceView, Traffic, estimate, from_policy_resources, load_prices
from .cost.traffic import FIELDS

NAME = "cost-monthly-budget"
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


def check_budget(resources, config) -> list[str]:
    """The violation messages for ``resources`` (views or PolicyResources) under ``config``; [] within budget."""
    budget = (config or {}).get(BUDGET_KEY)
    if budget is None:
        return []
    try:
        traffic = Traffic.from_config({k: v for k, v in config.items() if k.startswith("traffic")})
    except ValueError as exc:
        return [f"{NAME}: {exc}"]
    views = resources if all(isinstance(r, ResourceView) for r in resources) \
        else from_policy_resources(resources)
    est = estimate(views, traffic, load_prices())
    if est.total <= float(budget):
        return []
    tiers = ", ".join(f"{t} ${usd:,.2f}" for t, usd in sorted(est.tiers().items(), key=lambda kv: -kv[1]))
    top = "; ".join(f"{i.resource} {i.service} {i.item} ${i.usd:,.2f}" for i in est.top(3))
    return [f"estimated ${est.total:,.2f}/month exceeds the budget of ${float(budget):,.2f}/month "
            f"(by ${est.total - float(budget):,.2f}) for {traffic.devices:,} devices at "
            f"{traffic.messages_per_device_per_hour:,} msg/hour each. By tier: {tiers}. Largest items: {top}. "
            f"Run `tiers cost` for every line item, then resize or raise {BUDGET_KEY}."]


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for message in check_budget(list(args.resources), dict(args.get_config() or {})):
        report_violation(message, None)


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

#: The budget policies, for the pack's ``PolicyPack(policies=...)``.
POLICIES = [monthly_budget]
