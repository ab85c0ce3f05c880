"""The cost model: list prices as data, formulas per billing rule, and an estimator that
prices a stack from the pack's graph with one pricer per resource type.

It imports only the standard library and the pack's own modules, so it ships inside
the published policy pack (the budget policies use it) as well as behind ``tiers cost``.
"""

from .estimate import Estimate, ResourceView, estimate, from_captured, from_policy_resources
from .formulas import LineItem
from .model import ResourceCost, Unpriced
from .prices import PriceError, PriceTable, load_prices
from .traffic import FIELDS, Traffic
from .usage import Usage, UsageError

__all__ = ["Estimate", "FIELDS", "LineItem", "PriceError", "PriceTable", "ResourceCost", "ResourceView", "Traffic",
           "Unpriced", "Usage", "UsageError", "estimate", "from_captured", "from_policy_resources", "load_prices"]
