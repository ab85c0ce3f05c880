"""One resource's inputs against the API calls that create it: what AWS would refuse.

For a resource of a known type: work out its physical name (:mod:`.names`), assemble
each API request the Terraform provider sends (:mod:`.requests`), and check it against
botocore's input shape (:mod:`.shapes`) and the documented rules (:mod:`.documented`);
then the inputs themselves against what pulumi-aws's provider validates (:mod:`.provider`).
Inputs whose values are unknown are listed in :attr:`Result.unknown`, never judged.
Every finding names the input it came from, the value, what AWS allows and where
that rule is written. A type nobody mapped, an input that cannot be placed, a value
not known yet: none of these is a finding, and an error inside one check is
swallowed so that it never hides the rest (:func:`check_resource` reports it as a
note instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

from .._util import UNKNOWN_STRING_VALUE, contains_unknown, is_unknown
from .documented import Rule, rules_for, values_at
from .names import PhysicalName, physical_name
from .provider import input_rules_for
from .requests import CALLS, Call, Request
from .shapes import ShapeFinding, Validator, api_version

AUTONAME_SOURCE = "pulumi-aws provider/resources.go auto-naming (pulumi-terraform-bridge NewUniqueHex)"


@dataclass(frozen=True)
class Violation:
    """One input value AWS (or pulumi-aws) would refuse."""

    rule: str        # type | enum | length | pattern | range | size | required | name | documented | provider |
    #                  cross-field
    input: str       # the input path, as the program writes it (camelCase)
    value: Any
    problem: str     # what is wrong and what is allowed
    source: str      # where the rule is written

    @property
    def message(self) -> str:
        shown = "" if self.value is None else f" = {_show(self.value)}"
        return f"{self.input}{shown} {self.problem} [{self.source}]"


@dataclass
class Result:
    violations: list[Violation] = field(default_factory=list)
    #: Checks that could not run (an exception inside one), for debugging; never violations.
    notes: list[str] = field(default_factory=list)
    #: Inputs (as the program names them) a request would carry but whose values are not known yet:
    #: not checkable at preview; AWS, and the pack at ``pulumi up``, see them known.
    unknown: list[str] = field(default_factory=list)


def _show(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def supported(typ: str) -> bool:
    return typ in CALLS


def check_resource(typ: str, name: str, inputs: Mapping[str, Any]) -> Result:
    """Everything AWS would refuse in the inputs of one resource of type ``typ`` named ``name``."""
    result = Result()
    calls = CALLS.get(typ)
    if not calls or not isinstance(inputs, Mapping):
        return result
    inputs = _integral(dict(inputs))
    phys = None
    try:
        phys = physical_name(typ, name, inputs, is_unknown)
    except Exception as exc:  # noqa: BLE001 - fail soft
        result.notes.append(f"{typ} {name}: physical name: {exc!r}")
    if phys is not None:
        inputs[phys.field] = phys.value
        if phys.refusal:
            result.violations.append(Violation("name", phys.described, phys.value, phys.refusal, AUTONAME_SOURCE))
    unknown: dict[str, None] = {}
    for call in calls:
        try:
            if call.when is not None and not call.when(inputs):
                continue
            req = call.request(inputs, is_unknown)
            found = [*_shape_violations(call, req, phys, unknown), *_documented_violations(call, req, phys)]
            if phys is not None and phys.refusal:
                # The preview already fails on the name: what AWS would say about it is moot.
                found = [v for v in found if v.input != phys.described]
            result.violations.extend(found)
        except Exception as exc:  # noqa: BLE001 - one check's bug never aborts the others
            result.notes.append(f"{typ} {name}: {call.operation}: {exc!r}")
    try:
        result.violations.extend(_provider_violations(typ, inputs, unknown))
    except Exception as exc:  # noqa: BLE001 - fail soft
        result.notes.append(f"{typ} {name}: provider validations: {exc!r}")
    result.unknown = list(unknown)
    # Two calls may carry the same member (a log group's name goes to CreateLogGroup and PutRetentionPolicy).
    seen: set[tuple[str, str]] = set()
    result.violations = [v for v in result.violations
                         if (v.input, v.problem) not in seen and not seen.add((v.input, v.problem))]
    return result


def _integral(value: Any) -> Any:
    """Whole floats as ints: the engine carries every number as a double (64 arrives as 64.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def _input(req: Request, api_path: str, phys: Optional[PhysicalName], *, missing: bool = False) -> str:
    """The input ``api_path`` came from; for a member that is missing, its parent's input plus its name."""
    if missing and api_path not in req.origins:
        parent, _, member = api_path.rpartition(".")
        if parent:
            return f"{_input(req, parent, phys)}.{member[:1].lower()}{member[1:]}"
        return f"{member[:1].lower()}{member[1:]}"
    src = req.source(api_path)
    if phys is not None and (src == phys.field or src.startswith(f"{phys.field}[")):
        return phys.described
    return src


def _shape_violations(call: Call, req: Request, phys: Optional[PhysicalName], unknown: dict[str, None]
                      ) -> Iterable[Violation]:
    validator = Validator(is_unknown)
    version = api_version(call.service)
    for f in validator.check(req.params, req.shape, "", exempt=frozenset(call.exempt)):
        yield Violation(f.kind, _input(req, f.api_path, phys, missing=f.kind == "required"), f.value, f.problem,
                        f"botocore {call.service} {version} {call.operation} {_generic(f)} ({f.shape})")
    for api_path in validator.unknown:
        unknown.setdefault(_input(req, api_path, phys))


def _provider_violations(typ: str, inputs: Mapping[str, Any], unknown: dict[str, None]) -> Iterable[Violation]:
    """What pulumi-aws's provider itself refuses in the inputs (:mod:`.provider`), before any API call."""
    for rule in input_rules_for(typ):
        if not rule.path:  # a rule over several inputs: it passes over unknowns itself
            outcome = rule.check(inputs)
            if outcome:
                yield Violation(rule.kind, rule.inputs, None, outcome, rule.source)
            continue
        for where, value in values_at(inputs, rule.path):
            if value is None:
                continue
            if contains_unknown(value):
                unknown.setdefault(where)
                continue
            outcome = rule.check(value)
            if outcome:
                yield Violation(rule.kind, where, value, outcome, rule.source)


def _generic(f: ShapeFinding) -> str:
    return re.sub(r"\[\d+\]", "[]", re.sub(r"\['[^']*'\]", "[key]", f.api_path))


def _documented_violations(call: Call, req: Request, phys: Optional[PhysicalName]) -> Iterable[Violation]:
    for rule in rules_for(call.service, call.operation):
        for where, value in values_at(req.params, rule.path):
            if value is None or (rule.path and contains_unknown(value)):
                continue
            yield from _apply(rule, req, where, value, phys)


def _apply(rule: Rule, req: Request, where: str, value: Any, phys: Optional[PhysicalName]) -> Iterable[Violation]:
    outcome = rule.check(value)
    if outcome is None:
        return
    if isinstance(outcome, str):
        shown = None if rule.kind == "cross-field" or not rule.path else value
        yield Violation(rule.kind, rule.inputs or _input(req, where, phys), shown, outcome, rule.source)
        return
    for sub, problem in outcome:
        path = f"{where}{sub}" if sub.startswith("[") or not where else f"{where}.{sub}"
        yield Violation(rule.kind, _input(req, path, phys), _value_at(req.params, path), problem, rule.source)


def _value_at(params: Any, path: str) -> Any:
    value = params
    for part in re.findall(r"[^.\[\]]+|\[\d+\]|\['[^']*'\]", path):
        if part.startswith("[") and part[1:-1].isdigit():
            value = value[int(part[1:-1])] if isinstance(value, list) and int(part[1:-1]) < len(value) else None
        elif part.startswith("['"):
            value = value.get(part[2:-2]) if isinstance(value, dict) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


__all__ = ["Result", "Violation", "check_resource", "supported", "UNKNOWN_STRING_VALUE"]
