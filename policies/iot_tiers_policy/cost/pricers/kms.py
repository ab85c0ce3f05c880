"""KMS: customer managed keys by the month, and their requests when the usage file gives them."""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from ..model import Priced
from ..registry import Context, free, pricer
from ..usage import UsageKey

free("an alias or grant is free", "aws:kms/alias:Alias", "aws:kms/grant:Grant", "aws:kms/keyPolicy:KeyPolicy")


@pricer("aws:kms/key:Key", usage=[UsageKey("monthly_requests", "API requests a month (default: 0).")])
def key(node: Node, ctx: Context) -> Priced:
    requests = ctx.use("monthly_requests", 0)
    return Priced(f.kms_costs(ctx.prices, keys=1, requests=requests), {"keys": 1, "requests": requests})
