"""The cost model: list prices as data, formulas per service, and an estimator over a
stack's resources. Pure Python with relative imports only, so it ships inside the
published policy pack (the budget policy uses it) and never imports Pulumi.
"""

from .estimate import Estimate, ResourceView, estimate, from_captured, from_policy_resources
from .formulas import LineItem
from .prices import PriceError, PriceTable, load_prices
from .traffic import FIELDS, Traffic

__all__ = ["Estimate", "FIELDS", "LineItem", "PriceError", "PriceTable", "ResourceView", "Traffic",
           "estimate", "from_captured", "from_policy_resources", "load_prices"]
