"""iot-tiers CrossGuard policies. The decision rule lives in :mod:`.decision`.

Each concern is a module of this package that exports ``POLICIES`` (a list of
``pulumi_policy`` policies): placement, stack_checks, reliability, security_*,
budget. :func:`pack_policies` finds every such module, so adding a concern is
adding a file; nothing else needs to change. Every policy it returns fails soft
(:func:`._util.fail_soft`): an exception inside one is a violation of that policy,
never an aborted analysis.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

PACK_NAME = "iot-tiers"

#: Former policy names -> current ones (a policy config naming the former gets told).
RENAMED_POLICIES = {"placement-multi-az-prod": "reliability-multi-az"}

#: Modules listed first keep their order in the pack (and in `tiers preview` output);
#: any other module exporting POLICIES follows, alphabetically.
FIRST = ("placement", "stack_checks", "reliability")


def policy_modules() -> list[str]:
    """Names of the modules of this package that export ``POLICIES``."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    ordered = [n for n in FIRST if n in names] + sorted(n for n in names if n not in FIRST)
    return [n for n in ordered if hasattr(importlib.import_module(f"{__name__}.{n}"), "POLICIES")]


def pack_policies() -> list[Any]:
    """Every policy of the pack, checked for unique names, each failing soft."""
    from ._util import fail_soft

    policies: list[Any] = []
    seen: dict[str, str] = {}
    for name in policy_modules():
        for policy in importlib.import_module(f"{__name__}.{name}").POLICIES:
            if policy.name in seen:
                raise ValueError(f"policy {policy.name!r} is defined in both {seen[policy.name]} and {name}")
            seen[policy.name] = name
            policies.append(fail_soft(policy))
    return policies
