"""Typed, validated stack settings: the machinery.

Every setting the stack program reads is one :class:`Setting` row in a tier's table
(``processing.py``, ``realtime.py``, ...). A row names the tier, the argument of
the tier's ``*Args`` TypedDict it fills, its type, its default and what values are
allowed. From that one table come:

- the defaults a component applies when a library user leaves an argument out;
- the parsing and validation of ``Pulumi.<stack>.yaml`` (with one message naming
  the stack, the key, the value and what is allowed);
- the ``config:`` block of ``Pulumi.yaml`` and the README's reference table, which a
  test keeps in step with the table.

Per-environment sizing lives in the stack files; no component branches on the
stack name.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

import pulumi
from pulumi.output import UNKNOWN, contains_unknowns

#: The Pulumi project name, and so the namespace of every config key we read.
PROJECT = "iot-tiers"

#: The kinds Pulumi.yaml can declare for a project config key (it has no "number").
KINDS = ("string", "integer", "boolean", "array")


class ConfigError(pulumi.RunError):
    """One or more settings are invalid.

    Subclasses :class:`pulumi.RunError` so that ``pulumi up``/``preview`` print the
    message alone, without a Python traceback.
    """

    def __init__(self, problems: Sequence[str], stack: Optional[str] = None) -> None:
        self.problems = list(problems)
        self.stack = stack
        where = f"stack '{stack}'" if stack else "tier arguments"
        lines = [f"invalid configuration for {where}:"] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


#: A setting's check: True when the value is allowed; False, or the reason as a string, when not.
Check = Callable[[Any], Union[bool, str]]

#: Where a message's ``pulumi config set`` command names the stack; the stack file's loader
#: (``load_stack_settings``) puts the stack's name there.
STACK_HOLE = "--stack <stack>"


def config_set_command(full_key: str, value: str) -> str:
    """The command that sets ``full_key`` in a stack: ``pulumi config set <key> <value> --stack <stack>``."""
    return f"pulumi config set {full_key} {value} {STACK_HOLE}"


@dataclass(frozen=True)
class Setting:
    """One setting: a tier argument and the stack config key that fills it."""

    tier: str
    arg: str
    kind: str
    default: Any
    description: str
    allowed: str = ""
    check: Optional[Check] = None
    #: Config key override; by default the tier name plus the argument in camelCase.
    config_key: Optional[str] = None
    #: Stored as a Pulumi secret (certificates, tokens).
    secret: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.tier}.{self.arg}: kind {self.kind!r} not in {KINDS}")

    @property
    def key(self) -> str:
        """The stack config key, without the project namespace."""
        if self.config_key:
            return self.config_key
        words = self.arg.split("_")
        camel = "".join(w.capitalize() for w in words)
        if self.tier == "stack":
            return camel[0].lower() + camel[1:]
        return self.tier + camel

    @property
    def full_key(self) -> str:
        return f"{PROJECT}:{self.key}"

    def parse(self, raw: Any) -> Any:
        """Turn a raw config value (a string from Pulumi, or a YAML value) into the typed value."""
        if self.kind == "string":
            if isinstance(raw, (dict, list)):
                raise ValueError("expected a string")
            return str(raw)
        if self.kind == "boolean":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("true", "false"):
                return text == "true"
            raise ValueError("expected true or false")
        if self.kind == "integer":
            if isinstance(raw, bool):
                raise ValueError("expected a whole number")
            if isinstance(raw, int):
                return raw
            text = str(raw).strip()
            if not re.fullmatch(r"[-+]?\d+", text):
                raise ValueError("expected a whole number")
            return int(text)
        # array: Pulumi hands structured values over as JSON text.
        if isinstance(raw, (list, tuple)):
            return list(raw)
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            value = [part.strip() for part in str(raw).split(",") if part.strip()]
        if not isinstance(value, list):
            raise ValueError("expected a list")
        return value

    def validate(self, value: Any) -> Optional[str]:
        """None when ``value`` is allowed, else the reason: the check's own when it returns one
        (a string, for a value of the allowed form that is still wrong), else ``allowed``."""
        verdict = True if self.check is None else self.check(value)
        if isinstance(verdict, str):
            return verdict
        if verdict:
            return None
        return self.allowed or "value not allowed"


# ---------------------------------------------------------------- check helpers


def int_range(lo: int, hi: int) -> Check:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def num_range(lo: float, hi: float) -> Check:
    return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi


def one_of(values: Iterable[Any]) -> Check:
    allowed = tuple(values)
    return lambda v: v in allowed


def list_of(check: Check) -> Check:
    return lambda v: isinstance(v, list) and all(check(x) for x in v)


def matches(pattern: str) -> Check:
    rx = re.compile(pattern)
    return lambda v: isinstance(v, str) and rx.fullmatch(v) is not None


#: The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
                      1096, 1827, 2192, 2557, 2922, 3288, 3653)

IPV4_CIDR = r"(\d{1,3}\.){3}\d{1,3}/\d{1,2}"


def log_retention(tier: str) -> Setting:
    """The log retention setting every tier has."""
    return Setting(tier, "log_retention_days", "integer", 14,
                   f"CloudWatch Logs retention for the {tier} tier's log groups, in days.",
                   "one of the periods CloudWatch Logs accepts: "
                   + ", ".join(map(str, LOG_RETENTION_DAYS)),
                   one_of(LOG_RETENTION_DAYS))


# ---------------------------------------------------------------- resolution

CrossCheck = Callable[[Mapping[str, Any]], list[str]]


class TierSettings(Mapping[str, Any]):
    """A tier's arguments, defaults filled in and every known value checked.

    Values may be Pulumi Outputs where the tier passes them on to a child's inputs
    (``settings[key]``) or derives an input from them (:meth:`derive`). Where a value
    decides which resources exist, or their names, the tier asks for it with
    :meth:`plain`, which refuses an Output with a message saying why.
    """

    def __init__(self, label: str, values: Mapping[str, Any]) -> None:
        self._label = label
        self._values = dict(values)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"TierSettings({self._values!r})"

    def plain(self, key: str) -> Any:
        """The value of ``key``, which must not be an Output: the tier branches on it."""
        value = self._values[key]
        if isinstance(value, pulumi.Output):
            raise ConfigError([
                f"{self._label}{key} is a Pulumi Output, but it decides which resources the tier creates "
                "(or what they are named), so its value must be known when the program runs: pass a plain "
                f"value (for example from pulumi.Config().get_int / get_bool / get)"])
        return value

    def derive(self, fn: Callable[..., Any], *keys: str) -> Any:
        """``fn(*values of keys)``: plain when every value is plain, else an Output of it."""
        return lift(fn, *(self._values[k] for k in keys))


def lift(fn: Callable[..., Any], *values: Any) -> Any:
    """``fn(*values)``: plain when every value is plain, else an Output of it."""
    if any(isinstance(v, pulumi.Output) for v in values):
        return pulumi.Output.all(*values).apply(lambda vs: fn(*vs))
    return fn(*values)


def _coerce(s: Setting, value: Any) -> Any:
    """A whole float where an integer goes is that integer: every number reaching a tier from
    another language (a protobuf Struct, a JavaScript number) arrives as a float."""
    if s.kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _problem(label: str, s: Setting, value: Any, reason: str) -> str:
    return f"{label}{s.arg}={value!r} is not allowed: {reason}"


def _checked_output(s: Setting, value: pulumi.Output, label: str) -> pulumi.Output:
    """``value``, checked against ``s`` once it is known; while it is unknown (a value another
    resource computes, at preview) it passes through with a one-line warning."""

    def check(v: Any) -> Any:
        if v is UNKNOWN or contains_unknowns(v):
            pulumi.log.warn(f"{label}{s.arg} is not known until the deployment; iot-tiers checks it "
                            f"then ({s.allowed or 'see the settings table'})")
            return value
        v = _coerce(s, v)
        if v is not None:
            reason = s.validate(v)
            if reason:
                raise ConfigError([_problem(label, s, v, reason)])
        return v

    return value.apply(check, run_with_unknowns=True)


def resolve(settings: Sequence[Setting], given: Mapping[str, Any],
            cross_checks: Sequence[CrossCheck] = (), *, label: str = "") -> TierSettings:
    """Fill defaults into a tier's arguments and validate them.

    Used by the components themselves, so a library user who passes a bad
    argument gets the same clear message as a stack with a bad config value.
    Unknown argument names are refused (a typo must not silently fall back to a
    default). A value that is a Pulumi Output is checked when it is known: the
    returned settings hold it wrapped so that a bad value stops the deployment with
    the same message, and the cross-checks run once every Output involved is known.
    """
    by_arg = {s.arg: s for s in settings}
    problems = []
    for name in given:
        if name not in by_arg:
            near = difflib.get_close_matches(name, by_arg, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(f"{label}unknown argument {name!r}{hint}; known: {', '.join(sorted(by_arg))}")
    out: dict[str, Any] = {}
    for s in settings:
        value = _coerce(s, given.get(s.arg, s.default))
        if isinstance(value, pulumi.Output):
            out[s.arg] = _checked_output(s, value, label)
            continue
        if value is not None:
            reason = s.validate(value)
            if reason:
                problems.append(_problem(label, s, value, reason))
        out[s.arg] = value
    if problems:
        raise ConfigError(problems)

    def cross(values: Mapping[str, Any]) -> list[str]:
        return [f"{label}{p}" for check in cross_checks for p in check(values)]

    pending = {k: v for k, v in out.items() if isinstance(v, pulumi.Output)}
    if not pending:
        problems = cross(out)
        if problems:
            raise ConfigError(problems)
        return TierSettings(label, out)

    # Cross-checks over values some of which are Outputs: run them once all are known,
    # and make every Output argument carry the verdict, so a violation fails the
    # resources that use them instead of vanishing in a detached callback.
    def verdict(known: dict[str, Any]) -> bool:
        problems = cross({**out, **known})
        if problems:
            raise ConfigError(problems)
        return True

    gate = pulumi.Output.all(**pending).apply(verdict)
    for key, value in pending.items():
        out[key] = pulumi.Output.all(value, gate).apply(lambda vg: vg[0])
    return TierSettings(label, out)
