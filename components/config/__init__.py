"""Stack settings: one table of defaults, read and validated up front.

``load_stack_settings(stack, values)`` turns the raw config of one stack
(Pulumi.yaml defaults overlaid with Pulumi.<stack>.yaml) into a dict of typed
arguments per tier, or raises one :class:`ConfigError` listing every bad value
with the stack, the key, the value and what is allowed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence

from . import heavy, network, processing, realtime, stack, traffic
from .schema import PROJECT, STACK_HOLE, ConfigError, CrossCheck, Setting, resolve


@dataclass(frozen=True)
class TierTable:
    """A tier's rows of the defaults table and the checks that span its rows."""

    name: str
    settings: Sequence[Setting]
    cross_checks: Sequence[CrossCheck] = ()


#: Every tier's table, in the order the README documents them. New tiers register here.
TABLES: list[TierTable] = [
    TierTable("stack", stack.SETTINGS),
    TierTable("processing", processing.SETTINGS, (processing.cross_checks,)),
    TierTable("realtime", realtime.SETTINGS, (realtime.cross_checks,)),
    TierTable("network", network.SETTINGS, (network.cross_checks,)),
    *(TierTable(name, rows, checks) for name, rows, checks in heavy.tables()),
    TierTable("traffic", traffic.SETTINGS),
]

#: Cross-tier checks over the whole settings dict (for example "sidecar broker with >1 task").
STACK_CHECKS: list[Callable[[Mapping[str, Mapping[str, Any]]], list[str]]] = [
    realtime.stack_checks,
    heavy.stack_checks,
]


def table(name: str) -> TierTable:
    for t in TABLES:
        if t.name == name:
            return t
    raise KeyError(name)


def all_settings() -> list[Setting]:
    return [s for t in TABLES for s in t.settings]


def resolve_tier(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults plus validation for one tier's arguments (what the components call)."""
    t = table(name)
    return resolve(t.settings, given, t.cross_checks, label=f"{t.name}: ")


def load_stack_settings(stack_name: str, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Parse and validate one stack's config.

    ``values`` maps config keys (``iot-tiers:processingMemoryMb``, or the bare
    ``processingMemoryMb``) to raw values; keys of other namespaces (``aws:region``)
    are ignored. Keys missing from ``values`` take the table's default.
    """
    known = {s.key: s for s in all_settings()}
    problems: list[str] = []
    given: dict[str, dict[str, Any]] = {t.name: {} for t in TABLES}

    for full_key, raw in values.items():
        ns, _, key = full_key.rpartition(":")
        if ns and ns != PROJECT:
            continue
        setting = known.get(key)
        if setting is None:
            near = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {PROJECT}:{near[0]}?)" if near else ""
            problems.append(f"{PROJECT}:{key} is not a setting iot-tiers knows{hint}")
            continue
        try:
            value = setting.parse(raw)
        except ValueError as exc:
            problems.append(f"{setting.full_key}={raw!r} is not allowed: {exc}; {setting.allowed}")
            continue
        reason = setting.validate(value)
        if reason:
            problems.append(f"{setting.full_key}={value!r} is not allowed: {reason}")
            continue
        given[setting.tier][setting.arg] = value

    if problems:
        raise ConfigError(_name_the_stack(problems, stack_name), stack_name)

    resolved: dict[str, dict[str, Any]] = {}
    for t in TABLES:
        try:
            resolved[t.name] = resolve(t.settings, given[t.name], t.cross_checks)
        except ConfigError as exc:
            problems.extend(_with_keys(t, p) for p in exc.problems)
    if not problems:
        for check in STACK_CHECKS:
            problems.extend(check(resolved))
    if problems:
        raise ConfigError(_name_the_stack(problems, stack_name), stack_name)
    return resolved


def _name_the_stack(problems: list[str], stack_name: str) -> list[str]:
    """Messages whose ``pulumi config set`` command leaves the stack open name this one."""
    return [p.replace(STACK_HOLE, f"--stack {stack_name}") for p in problems]


def _with_keys(t: TierTable, problem: str) -> str:
    """Name config keys, not Python argument names, in messages about a stack file."""
    for s in sorted(t.settings, key=lambda s: -len(s.arg)):
        problem = problem.replace(f"{s.arg}=", f"{s.full_key}=")
    return problem


def pulumi_config_values() -> dict[str, Any]:
    """Every config value of the running Pulumi program in our namespace."""
    from pulumi.runtime import config as rc

    values: dict[str, Any] = {}
    values.update(rc.get_config_env())
    values.update(rc.CONFIG.get())
    return {k: v for k, v in values.items() if k.startswith(PROJECT + ":")}


def from_pulumi(stack_name: Optional[str] = None) -> dict[str, dict[str, Any]]:
    """Load the running program's settings (call from ``__main__.py``)."""
    import pulumi

    return load_stack_settings(stack_name or pulumi.get_stack(), pulumi_config_values())


__all__ = [
    "ConfigError", "Setting", "TierTable", "TABLES", "STACK_CHECKS", "all_settings",
    "load_stack_settings", "from_pulumi", "resolve_tier", "table",
]
