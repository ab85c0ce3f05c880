"""The service quotas a stack needs above a new account's defaults, said before ``pulumi up`` fails on them.

:func:`assess` reads the stack's resources (the pack's graph, so PolicyResources, captured registrations
or graph nodes alike) with one small reader per kind of quota:

* :mod:`.lambda_`: Lambda concurrent executions (reservations + provisioned + the 100 AWS keeps);
* :mod:`.ec2`: EC2 vCPUs per instance class, On-Demand and Spot, at each group's ``maxSize``;
* :mod:`.fargate`: Fargate vCPUs at the most tasks and during a rolling deploy;
* :mod:`.network`: Elastic IPs and NAT gateways per Availability Zone.

Each need carries the quota's Service Quotas codes, AWS's default and a new account's value (from
``defaults.json``, with the page each was read on), how it was computed resource by resource, and the
``aws service-quotas request-service-quota-increase`` command. What a reader cannot work out (an
instance type the bundled EC2 data lacks, a value unknown at a first preview) is listed as not assessed,
never an error. Information only: the pack's advisory ``reliability-service-quotas``
(:mod:`..service_quotas`) reports the same needs in a real ``pulumi preview``.

Pure Python over the pack's own modules: it ships inside the published pack.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from ..cost.prices import PriceTable, load_prices
from ..cost.view import StackView, graph_of
from . import ec2, fargate, lambda_, network
from .model import Need, NotAssessed, Part, Quota, QuotaReport, defaults, quota

__all__ = ["Need", "NotAssessed", "Part", "Quota", "QuotaReport", "assess", "defaults", "quota"]


def assess(resources: Iterable[Any], prices: Optional[PriceTable] = None,
           region: Optional[str] = None) -> QuotaReport:
    """Every quota need of ``resources``; ``prices`` gives the EC2 vCPU counts (default: the bundled
    data), ``region`` the stack's region for the request commands (default: the one the stack names)."""
    view = StackView(graph_of(resources))
    prices = prices or load_prices()
    needs: list[Need] = []
    skipped: list[NotAssessed] = []
    for found in (*lambda_.read(view), *ec2.read(view, prices), *fargate.read(view), *network.read(view)):
        (needs if isinstance(found, Need) else skipped).append(found)
    return QuotaReport(needs, skipped, region or view.region())
