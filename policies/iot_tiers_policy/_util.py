"""What every policy module shares: plain values, unknowns, tags and the policy factories.

Two things shape this module.

* ``pulumi_policy`` hands a policy its properties wrapped in proxies that raise
  ``UnknownValueError`` when an unknown value (one that depends on a resource not
  created yet) is read. The servicer turns that exception into an *advisory*
  "can't run policy during preview" diagnostic, whatever the policy's level. That
  is fine for a hardening check, but it would let a mandatory placement check pass
  by default. So policies read :func:`plain` values, see unknowns as the sentinel
  strings they are (:func:`is_unknown`), and decide themselves: security checks
  call :func:`require_known` (the standard CrossGuard behaviour), placement checks
  report a violation that names what could not be verified.
* Every policy is built by :func:`resource_policy` or :func:`stack_policy`, which
  insist on a description, a severity and remediation steps, and turn a check that
  *yields messages* into ``report_violation`` calls. Policy modules keep a list
  ``POLICIES``; :func:`iot_tiers_policy.pack_policies` concatenates them.
* No policy may abort the analysis. ``pulumi_policy`` turns an exception inside one
  policy into a failed ``Analyze``/``AnalyzeStack`` call, and the engine into a failed
  preview. :func:`fail_soft`, which :func:`iot_tiers_policy.pack_policies` applies to
  every policy of the pack (whoever wrote it), turns it into a violation of that policy
  on that resource ("could not evaluate: <reason>"); the other policies still run.
"""

from __future__ import annotations

import inspect
import json
import traceback
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from ._peers import cite

#: The sentinels the engine sends for values not known at preview.
UNKNOWN_SENTINELS = frozenset({
    UNKNOWN_STRING_VALUE, UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE,
})

#: Concern prefixes every policy name starts with (ENGINEERING.md); ``aws`` checks inputs against AWS's own rules;
#: ``environment`` says which environment's rules the pack applied (:mod:`.environment`).
CONCERNS = ("placement", "security", "reliability", "cost", "aws", "environment")


def is_unknown(value: Any) -> bool:
    """True for an engine sentinel meaning "not known until a dependency exists"."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def contains_unknown(value: Any) -> bool:
    """True when ``value`` is, or anywhere holds, an unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def plain(value: Any) -> Any:
    """Unwrap ``pulumi_policy``'s proxies into plain dicts and lists, keeping unknown sentinels."""
    # The proxies answer the key "__target" with the wrapped container.
    cls = type(value).__name__
    if cls in ("_DictProxy", "_ListProxy", "_DictSecretsProxy", "_ListSecretsProxy"):
        return plain(value["__target"])
    if cls == "Secret":
        return plain(value.value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def dig(value: Any, *path: Any, default: Any = None) -> Any:
    """``value[path[0]][path[1]]...``; ``default`` when a step is missing; the sentinel when one is unknown."""
    for key in path:
        if is_unknown(value):
            return value
        if isinstance(value, Mapping):
            if key not in value or value[key] is None:
                return default
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int):
            if key >= len(value):
                return default
            value = value[key]
        else:
            return default
    return value


def require_known(value: Any, path: str) -> Any:
    """Return ``value``, or raise the SDK's unknown error (reported as "can't run during preview")."""
    if contains_unknown(value):
        raise UnknownValueError(UNKNOWN_STRING_VALUE, path.split("."))
    return value


def as_bool(value: Any) -> Optional[bool]:
    """Booleans as the providers accept them: ``True`` or ``"true"`` (launch templates use strings)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def as_size(value: Any) -> Optional[int]:
    """A count, size or duration: a finite number >= 0 as an int; None for anything else."""
    n = as_number(value)
    if n is None or n != n or n in (float("inf"), float("-inf")) or n < 0:
        return None
    return int(n)


def hashable(value: Any) -> Any:
    """``value`` itself when it can be a set member, else a stable text form (for counting distinct values)."""
    try:
        hash(value)
        return value
    except TypeError:
        return json.dumps(value, sort_keys=True, default=str)


def as_list(value: Any) -> list:
    """A value that may be one item or a list, as a list (IAM's Action/Resource)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def json_value(value: Any) -> Any:
    """Parse a JSON-string input (IAM documents, container definitions); dicts pass through.

    Returns the unknown sentinel unchanged, and ``None`` for a string that is not JSON.
    """
    if is_unknown(value) or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None


def tags_of(props: Mapping[str, Any]) -> Any:
    """A resource's tags as a dict; the unknown sentinel when they are unknown.

    Auto Scaling groups carry tags as a list of ``{key, value, propagateAtLaunch}``.
    """
    raw = props.get("tags") if isinstance(props, Mapping) else None
    if is_unknown(raw):
        return raw
    if isinstance(raw, list):
        out: dict[str, Any] = {}
        for item in raw:
            if isinstance(item, Mapping) and "key" in item:
                out[str(item["key"])] = item.get("value")
        return out
    return {str(k): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def short_type(typ: str) -> str:
    """``aws:lambda/function:Function`` -> ``lambda.Function``, for messages."""
    try:
        _pkg, mod, kind = typ.split(":")
        return f"{mod.split('/')[0]}.{kind}"
    except ValueError:
        return typ


def describe(typ: str, name: str) -> str:
    return f"{short_type(typ)} '{name}'"


# ---------------------------------------------------------------- failing soft

#: Exceptions pulumi_policy handles itself: an unknown value read through its proxies
#: ("can't run policy during preview", advisory) and ``args.not_applicable``.
_SDK_SIGNALS = (UnknownValueError,)


def _is_sdk_signal(exc: BaseException) -> bool:
    return isinstance(exc, _SDK_SIGNALS) or type(exc).__name__ == "_NotApplicableError"


def _library_code(filename: str) -> bool:
    import sysconfig

    stdlib = sysconfig.get_paths().get("stdlib") or "\0"
    return "site-packages" in filename or "dist-packages" in filename or filename.startswith(stdlib)


def failure_reason(exc: BaseException) -> str:
    """``<Type>: <message> (at <file>:<line> in <function>)``, at the last frame that is not library code."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if not _library_code(f.filename or "")] or frames
    where = ""
    if ours:
        f = ours[-1]
        path = f.filename.replace("\\", "/")
        short = path.split("iot_tiers_policy/", 1)[-1] if "iot_tiers_policy/" in path else path.rsplit("/", 1)[-1]
        where = f" (at {short}:{f.lineno} in {f.name})"
    text = str(exc).strip().replace("\n", " ")
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def could_not_evaluate(exc: BaseException) -> str:
    """The violation message of a policy that failed on its input."""
    return f"could not evaluate: {failure_reason(exc)}"


def fail_soft(policy: Any) -> Any:
    """Make ``policy`` report its own failure as a violation instead of aborting the analysis.

    An exception inside ``validate`` (or inside an awaitable it returns) becomes one
    ``report_violation("could not evaluate: <reason>")``: on the resource being analysed
    for a resource policy, on the stack for a stack policy. Messages reported before
    the failure are kept; the SDK's own signals (unknown values, not applicable) pass
    through untouched. Applying it twice is harmless.
    """
    if getattr(policy.validate, "_fails_soft", False):
        return policy
    original = policy.validate

    def validate(args: Any, report_violation: ReportViolation) -> Any:
        try:
            result = original(args, report_violation)
        except Exception as exc:
            if _is_sdk_signal(exc):
                raise
            report_violation(could_not_evaluate(exc), None)
            return None
        if inspect.isawaitable(result):
            async def guarded() -> Any:
                try:
                    return await result
                except Exception as exc:
                    if _is_sdk_signal(exc):
                        raise
                    report_violation(could_not_evaluate(exc), None)
                    return None
            return guarded()
        return result

    validate._fails_soft = True  # type: ignore[attr-defined]
    policy.validate = validate
    return policy


# ---------------------------------------------------------------- policy factories

Check = Callable[[str, Mapping[str, Any], Mapping[str, Any], ResourceValidationArgs], Iterable[str]]
StackCheck = Callable[["Graph", Mapping[str, Any]], Iterable[tuple[str, Optional[str]]]]  # noqa: F821


def _config(args: Any, schema: Optional[Mapping[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """The policy's config with schema defaults filled in (the CLI does the same, this is for safety)."""
    given = dict(args.get_config() or {})
    for key, spec in (schema or {}).items():
        if key not in given and "default" in spec:
            given[key] = spec["default"]
    return given


def _check_metadata(name: str, description: str, remediation: str) -> None:
    if not name.startswith(tuple(f"{c}-" for c in CONCERNS)):
        raise ValueError(f"policy name {name!r} must start with a concern prefix: {', '.join(CONCERNS)}")
    if not description or not remediation:
        raise ValueError(f"policy {name!r} needs a description and remediation steps")


def resource_policy(*, name: str, description: str, severity: Severity, remediation: str,
                    types: Sequence[str], check: Check,
                    config: Optional[Mapping[str, Mapping[str, Any]]] = None,
                    enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
                    url: Optional[str] = None) -> ResourceValidationPolicy:
    """A per-resource policy for ``types``; ``check(type, props, config, args)`` yields messages.

    ``props`` are plain values (unknowns as sentinels). ``config`` is a JSON-schema
    ``properties`` map; its ``default`` values apply when the pack config omits them.
    """
    _check_metadata(name, description, remediation)
    description = cite(name, description)
    wanted = frozenset(types)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in wanted:
            return
        props = plain(args.props)
        for message in check(args.resource_type, props, _config(args, config), args):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(config)) if config else None,
        severity=severity, remediation_steps=remediation, url=url,
        tags=[name.split("-", 1)[0]])


def stack_policy(*, name: str, description: str, severity: Severity, remediation: str,
                 check: StackCheck, config: Optional[Mapping[str, Mapping[str, Any]]] = None,
                 enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
                 url: Optional[str] = None) -> StackValidationPolicy:
    """A whole-stack policy; ``check(graph, config)`` yields ``(message, urn)`` pairs."""
    _check_metadata(name, description, remediation)
    description = cite(name, description)
    from .graph import Graph  # local: graph imports this module

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        graph = Graph.from_stack_args(args)
        for message, urn in check(graph, _config(args, config)):
            report_violation(message, urn)

    return StackValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(config)) if config else None,
        severity=severity, remediation_steps=remediation, url=url,
        tags=[name.split("-", 1)[0]])


def each(items: Iterable[Any]) -> Iterator[Any]:
    """Iterate a list input that may be missing (None) or unknown (skipped: callers check first)."""
    if items is None or is_unknown(items):
        return iter(())
    return iter(items if isinstance(items, list) else [items])
