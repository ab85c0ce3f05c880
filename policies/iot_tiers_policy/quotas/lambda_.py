"""Lambda concurrent executions: what the stack's reservations take out of the account's concurrency.

A function's reserved concurrency is taken from the Regional quota; provisioned concurrency counts
towards the function's reservation when it has one, and towards the quota otherwise (Lambda guide,
configuration-concurrency). AWS keeps at least 100 executions unreserved (botocore,
PutFunctionConcurrency), so a stack that reserves R needs a quota of R + 100. With nothing reserved
or provisioned the stack needs no particular quota: its functions share whatever the account has.
"""

from __future__ import annotations

from typing import Iterator, Union

from ..cost.view import StackView
from ._read import UNREADABLE, count, why
from .model import Need, NotAssessed, Part, defaults, quota

FUNCTION = "aws:lambda/function:Function"
PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
QUOTA = "lambda.concurrent_executions"


def unreserved_minimum() -> int:
    return int(defaults()["lambda_unreserved_minimum"]["value"])


def _provisioned(view: StackView, skipped: list[NotAssessed]) -> dict[str, float]:
    """Function URN -> its provisioned executions, through aliases to their function; a config whose
    count cannot be read goes to ``skipped``."""
    out: dict[str, float] = {}
    for cfg in view.of_type(PROVISIONED):
        try:
            executions = count(cfg, "provisionedConcurrentExecutions", 0)
            for fn in (view.functions(cfg, "functionName") or view.functions(cfg, "qualifier"))[:1]:
                out[fn.urn] = out.get(fn.urn, 0) + executions
        except UNREADABLE as exc:
            skipped.append(NotAssessed(cfg.name, cfg.type, quota(QUOTA).title, why(exc)))
    return out


def read(view: StackView) -> Iterator[Union[Need, NotAssessed]]:
    need = Need(quota(QUOTA))
    skipped: list[NotAssessed] = []
    provisioned = _provisioned(view, skipped)
    yield from skipped
    for fn in view.of_type(FUNCTION):
        try:
            reserved = count(fn, "reservedConcurrentExecutions", value=_reserved(fn))
        except UNREADABLE as exc:
            yield NotAssessed(fn.name, fn.type, quota(QUOTA).title, why(exc))
            continue
        pc = provisioned.get(fn.urn, 0)
        if reserved is None and not pc:
            continue
        if reserved is None:
            how = f"{fn.name}: {pc:g} provisioned (unreserved function)"
        elif pc:
            how = f"{fn.name} reserves {reserved:g} (its {pc:g} provisioned count within the reservation)"
        else:
            how = f"{fn.name} reserves {reserved:g}"
        need.parts.append(Part(fn.name, fn.type, max(reserved or 0, pc), how))
    if need.amount:
        need.parts.append(Part("(account)", "", unreserved_minimum(),
                               f"+ {unreserved_minimum()} AWS keeps unreserved for every other function"))
        yield need


def _reserved(fn) -> object:
    """``reservedConcurrentExecutions``; ``-1`` (the provider's "unreserved") reads as not set."""
    raw = fn.props.get("reservedConcurrentExecutions")
    return None if isinstance(raw, (int, str)) and str(raw) == "-1" else raw
