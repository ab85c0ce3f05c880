"""``reliability-service-quotas`` (advisory): the quotas a first deploy needs above a new account's.

The same report ``tiers preview`` prints (:mod:`.quotas`), so a real ``pulumi preview --policy-pack``
says it too: one violation per quota the stack needs above what a new AWS account has, naming the
need, how it was computed and the ``aws service-quotas request-service-quota-increase`` command.
It is information for the first ``pulumi up`` of an account, never a reason to block one.

Config (optional)::

    "reliability-service-quotas": {
        "accountQuotas": {"L-DB2E81BA": 64, "L-B99A9384": 1000}
    }

``accountQuotas`` gives the values your account already has, by Service Quotas quota code (see
``aws service-quotas get-service-quota``); those quotas are judged against them instead of a new
account's, so an account that raised them hears no more about it.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional

from pulumi_policy import EnforcementLevel, Severity

from ._util import stack_policy
from .graph import Graph
from .quotas import Need, assess

NAME = "reliability-service-quotas"
ACCOUNT_KEY = "accountQuotas"


def _has(need: Need, account: Mapping[str, Any]) -> tuple[float, str]:
    """What the account has of ``need``'s quota: the configured value, else a new account's."""
    given = account.get(need.quota.quota_code)
    if isinstance(given, (int, float)) and not isinstance(given, bool):
        return float(given), f"your account has {given:,g} ({ACCOUNT_KEY})"
    q = need.quota
    new = f"a new account may have {q.new_account:,g}, AWS's default is {q.default:,g}" if q.new_account is not None \
        else f"a new account has AWS's default, {q.default:,g}"
    return q.threshold, new


def check(graph: Graph, config: Optional[Mapping[str, Any]]) -> Iterator[tuple[str, Optional[str]]]:
    account = (config or {}).get(ACCOUNT_KEY) or {}
    report = assess(graph.nodes)
    for need in report.needs:
        has, basis = _has(need, account if isinstance(account, Mapping) else {})
        if need.amount <= has:
            continue
        q = need.quota
        how = "; ".join(p.how for p in need.parts)
        short = f" If short, {q.if_short}." if q.if_short else ""
        yield (f"{q.title} ({q.service_code} {q.quota_code}): the stack needs {need.amount:,g} {q.unit}, and "
               f"{basis}. How: {how}.{short} Request it before `pulumi up`: {q.request(need.amount, report.region)}",
               None)


service_quotas = stack_policy(
    name=NAME,
    description="The service quotas the stack needs (Lambda concurrency, EC2 vCPUs per instance class "
                "On-Demand and Spot at max capacity, Fargate vCPUs at max tasks and during a rolling deploy, "
                "Elastic IPs, NAT gateways per AZ) fit what a new AWS account has; each need above it is "
                "reported with its Service Quotas codes and the request command.",
    severity=Severity.MEDIUM,
    remediation="Request each quota named with the `aws service-quotas request-service-quota-increase` command in "
                "the message, before the first `pulumi up` in the account; once granted, list the values your "
                "account has under accountQuotas in the environment's policy config.",
    check=check,
    config={ACCOUNT_KEY: {"type": "object", "additionalProperties": {"type": "number", "minimum": 0},
                          "default": {},
                          "description": "Values your account already has, by Service Quotas quota code "
                                         "(e.g. {\"L-DB2E81BA\": 64}); judged instead of a new account's."}},
    enforcement_level=EnforcementLevel.ADVISORY,
)

#: The quota policy, for the pack's ``PolicyPack(policies=...)``.
POLICIES = [service_quotas]
