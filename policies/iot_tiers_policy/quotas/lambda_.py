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


def _provisioned(view: StackView) -> dict[str, list[tuple[str, float]]]:
    """Function URN -> [(config name, provisioned executions)], through aliases to their function."""
    out: dict[str, list[tuple[str, float]]] = {}
    for cfg in view.of_type(PROVISIONED):
        for fn in view.functions(cfg, "functionName") or view.functions(cfg, "qualifier"):
            out.setdefault(fn.urn, []).append((cfg.name, count(cfg, "provisionedConcurrentExecutions", 0)))
            break
    return out


def read(view: StackView) -> Iterator[Union[Need, NotAssessed]]:
    need = Need(quota(QUOTA))
    try:
        provisioned = _provisioned(view)
    except UNREADABLE as exc:
        yield NotAssessed("provisioned concurrency", PROVISIONED, quota(QUOTA).title, why(exc))
        provisioned = {}
    for fn in view.of_type(FUNCTION):
        try:
            reserved = count(fn, "reservedConcurrentExecutions", value=_reserved(fn))
        except UNREADABLE as exc:
            yield NotAssessed(fn.name, fn.type, quota(QUOTA).title, why(exc))
            continue
        pc = sum(n for _, n in provisioned.get(fn.urn, ()))
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
