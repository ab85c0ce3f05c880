"""Which environment's rules the pack applies, chosen by the pack itself from what it can see.

A development stack may relax what production may not (no deletion protection, plain
HTTP, one task in one zone, a smaller budget). The relaxations are the pack's
*profiles*: ``config/dev.json`` (development) and ``config/prod.json`` (production, the
strict set) in the pack folder, each in ``--policy-pack-config`` form. The pack picks one
for every preview, so a plain ``pulumi preview --policy-pack policies`` of each stack gets
the verdict ``tiers preview`` gives it, with no config file to remember.

When the pack must choose
    ``pulumi_policy`` fixes each policy's enforcement level for the whole run when the
    engine calls ``Configure``, before the first resource arrives, and hands a resource
    policy one resource at a time (its type, inputs, URN, options and provider: never
    the rest of the stack). So the choice cannot wait for the resources' tags: it is made
    when the pack starts, and handed to the engine as the pack's ``initial_config``
    (``PolicyPack(initial_config=...)``), which the engine layers between the policies'
    own defaults and a ``--policy-pack-config`` file (pulumi/pulumi,
    ``pkg/resource/analyzer/config.go``, ``ReconcilePolicyPackConfig``). Every policy,
    per-resource or stack, then runs with the chosen profile's level and thresholds, and
    an explicit config file still overrides any entry, level or property.

What it is chosen from
    The stack config, which the engine gives every policy pack at start as
    ``PULUMI_CONFIG`` (``sdk/go/common/resource/plugin/analyzer_plugin.go``,
    ``constructEnv``) with the project's declared defaults applied. The first of
    ``iot-tiers:environment`` (the settings table's key, read in any project that uses
    the tiers; the value the tiers write into their ``iot-tiers:environment`` tag) and
    ``<project>:environment`` (a team's own key) that is set decides:
    ``development``/``dev`` selects the development profile, ``production``/``prod`` the
    production one. No such key, or another value (``staging``), selects production: a
    stack that does not say is held to the strict set.

What the resources declare
    Resources declare their environment in a tag (:data:`TAG_KEYS`, compared without
    case). At the end of the preview the stack policies below compare every declaration
    with the profile applied: a resource declaring a stricter environment than the rules
    it was judged by (production, or an unknown value, under development's rules) is a
    mandatory ``environment-consistent`` violation, since it was never judged by
    the rules it declares; a stack that declares no environment, or resources declaring
    a laxer one than the profile applied, get an advisory ``environment-declared``
    saying which rules applied and how to declare the environment.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Optional

from pulumi_policy import EnforcementLevel, Severity

from ._util import is_unknown, stack_policy, tags_of
from .graph import Graph

DEVELOPMENT, PRODUCTION = "development", "production"
#: The profile applied when the stack does not say, or says something the pack has no profile for.
STRICT = PRODUCTION
#: Values that name an environment (lower-cased), and the profile each selects.
NAMES = {"development": DEVELOPMENT, "dev": DEVELOPMENT, "production": PRODUCTION, "prod": PRODUCTION}
#: Each profile's file in the pack's ``config/`` folder (the file names predate the profiles).
PROFILE_FILES = {DEVELOPMENT: "dev.json", PRODUCTION: "prod.json"}
#: How strict each profile is: a resource must never be judged by a laxer one than it declares.
STRICTNESS = {DEVELOPMENT: 0, PRODUCTION: 1}
#: The settings table's key (components/config/stack.py), whatever the project's name.
SETTINGS_KEY = "iot-tiers:environment"
#: Tag keys a resource declares its environment with, in order; compared without case.
TAG_KEYS = ("iot-tiers:environment", "environment", "env", "stage")

CONSISTENT = "environment-consistent"
DECLARED = "environment-declared"


def profile_of(value: Any) -> Optional[str]:
    """The profile a declared value names (``"Prod"`` -> production); None for anything else."""
    return NAMES.get(value.strip().lower()) if isinstance(value, str) else None


@dataclass(frozen=True)
class Choice:
    """The profile the pack applies, and what it was chosen from."""

    #: ``development`` or ``production``.
    environment: str
    #: The stack config key that decided (None: no key was set).
    key: Optional[str] = None
    #: That key's value as written.
    value: Optional[str] = None

    @property
    def declared(self) -> bool:
        """True when the stack config named an environment the pack has a profile for."""
        return self.key is not None and profile_of(self.value) is not None

    def describe(self) -> str:
        """``development (iot-tiers:environment=development in the stack config)``, for reports."""
        if self.declared:
            return f"{self.environment} ({self.key}={self.value} in the stack config)"
        if self.key is not None:
            return (f"{self.environment}, the strict set ({self.key}={self.value!r} in the stack config names no "
                    f"environment the pack has rules for: {', '.join(sorted(NAMES))})")
        return f"{self.environment}, the strict set (the stack config declares no environment)"

    def as_json(self) -> dict[str, Any]:
        return {"applied": self.environment, "key": self.key, "value": self.value, "declared": self.declared}


def choose(config: Mapping[str, Any], project: str = "") -> Choice:
    """The profile for a stack whose config (``ns:key`` -> value) is ``config``, in project ``project``."""
    keys = [SETTINGS_KEY] + ([f"{project}:environment"] if project and f"{project}:environment" != SETTINGS_KEY else [])
    for key in keys:
        value = config.get(key)
        if value is None:
            continue
        value = value if isinstance(value, str) else json.dumps(value)
        return Choice(profile_of(value) or STRICT, key, value)
    return Choice(STRICT)


def choose_from_process(environ: Optional[Mapping[str, str]] = None) -> Choice:
    """The profile for the stack the engine started this pack for (``PULUMI_CONFIG``, ``PULUMI_PROJECT``).

    With no ``PULUMI_CONFIG`` (``pulumi policy publish``, a test calling the pack in-process)
    the stack declares nothing: the strict set.
    """
    environ = os.environ if environ is None else environ
    try:
        config = json.loads(environ.get("PULUMI_CONFIG") or "{}")
    except ValueError:
        config = {}
    return choose(config if isinstance(config, dict) else {}, environ.get("PULUMI_PROJECT", ""))


# ---------------------------------------------------------------- the profiles

def profiles_dir() -> Path:
    """The pack's ``config/`` folder: beside this package in the repository, ``pack/config`` in a wheel."""
    package = Path(__file__).resolve().parent
    for candidate in (package.parent / "config", package / "pack" / "config"):
        if (candidate / PROFILE_FILES[STRICT]).exists():
            return candidate
    raise FileNotFoundError(f"the pack's profiles ({', '.join(PROFILE_FILES.values())}) are not beside {package}")


def load_profile(environment: str, directory: Optional[Path] = None) -> dict[str, Any]:
    """A profile as written (policy name -> level or ``{"enforcementLevel", <properties>}``)."""
    if environment not in PROFILE_FILES:
        raise ValueError(f"no profile for environment {environment!r}; profiles: {', '.join(PROFILE_FILES)}")
    path = (directory or profiles_dir()) / PROFILE_FILES[environment]
    doc = json.loads(path.read_text())
    if not isinstance(doc, dict):
        raise ValueError(f"{path} must be a JSON object of policy name -> level or settings")
    return doc


def initial_config(policies: Iterable[Any], choice: Choice, directory: Optional[Path] = None) -> dict[str, Any]:
    """The chosen profile as ``PolicyPack(initial_config=...)`` takes it.

    Every entry carries its enforcement level: the engine reads an initial-config entry
    without one as ``advisory`` (the protobuf default, 0), so an entry that only sets a
    threshold gets the policy's own level here. A name that is not one of ``policies``
    is an error: a stale profile must fail the pack's start, not silently apply nothing.
    """
    by_name = {p.name: p for p in policies}
    out: dict[str, Any] = {}
    for name, entry in load_profile(choice.environment, directory).items():
        policy = by_name.get(name)
        if policy is None:
            raise ValueError(f"profile {PROFILE_FILES[choice.environment]} names {name!r}, which is not a policy "
                             f"of the pack")
        entry = {"enforcementLevel": entry} if isinstance(entry, str) else dict(entry)
        level = entry.pop("enforcementLevel", None) or (policy.enforcement_level or EnforcementLevel.MANDATORY).value
        out[name] = {"enforcementLevel": EnforcementLevel(level), **entry}
    return out


# ---------------------------------------------------------------- what the resources declare

def declared_environment(props: Mapping[str, Any]) -> Optional[tuple[str, str]]:
    """``(tag key, value)`` of the first environment tag a resource carries, or None."""
    tags = tags_of(props)
    if not isinstance(tags, Mapping):
        return None
    lowered = {str(k).lower(): (k, v) for k, v in tags.items()}
    for key in TAG_KEYS:
        if key in lowered:
            k, v = lowered[key]
            if isinstance(v, str) and v.strip() and not is_unknown(v):
                return str(k), v
    return None


def _declarations(graph: Graph) -> list[tuple[Any, str, str, str]]:
    """``(node, tag key, value, profile)`` for every resource that declares an environment.

    A value with no profile (``staging``) is held to the strict set, as the stack's would be.
    """
    out = []
    for node in graph.nodes:
        found = declared_environment(node.props)
        if found:
            out.append((node, found[0], found[1], profile_of(found[1]) or STRICT))
    return out


def _names(nodes: list[Any], limit: int = 8) -> str:
    shown = ", ".join(f"'{n.name}'" for n in nodes[:limit])
    return shown + (f" and {len(nodes) - limit} more" if len(nodes) > limit else "")


_HOW = ("declare it in the stack config, where the pack reads it before the first resource: `pulumi config set "
        f"environment <development|production>` (the project's own key; a program built on the iot-tiers settings "
        f"table sets {SETTINGS_KEY} instead, which it reads too), or pass your own --policy-pack-config")


def check_consistent(graph: Graph, _config: Any, choice: Optional[Choice] = None) -> Iterator[tuple[str, Optional[str]]]:
    """Resources that declare a stricter environment than the profile they were judged by."""
    choice = choice or choose_from_process()
    stricter = [(n, k, v) for n, k, v, p in _declarations(graph) if STRICTNESS[p] > STRICTNESS[choice.environment]]
    if not stricter:
        return
    values = sorted({f"{k}={v}" for _, k, v in stricter})
    yield (f"{len(stricter)} resource(s) declare a stricter environment ({', '.join(values)}) than the rules the "
           f"pack applied, {choice.describe()}: {_names([n for n, _, _ in stricter])}. They were never judged by "
           f"the rules they declare. Make the stack config and the tags agree; to apply production's rules, "
           f"{_HOW}.", None)


def check_declared(graph: Graph, _config: Any, choice: Optional[Choice] = None) -> Iterator[tuple[str, Optional[str]]]:
    """The stack declares no environment (the strict set applied), or resources declare a laxer one."""
    choice = choice or choose_from_process()
    declarations = _declarations(graph)
    laxer = [(n, k, v) for n, k, v, p in declarations if STRICTNESS[p] < STRICTNESS[choice.environment]]
    if not choice.declared:
        tagged = sorted({f"{k}={v}" for _, k, v, _ in declarations})
        said = (f"; {len(declarations)} resource(s) declare {', '.join(tagged)} in their tags, which the pack "
                "cannot see before it judges the first resource") if declarations else \
            "; no resource declares one in its tags either"
        yield (f"the pack applied {choice.describe()}{said}. To have another environment's rules applied, "
               f"{_HOW}.", None)
    elif laxer:
        values = sorted({f"{k}={v}" for _, k, v in laxer})
        yield (f"{len(laxer)} resource(s) declare {', '.join(values)}, but the stack config says "
               f"{choice.key}={choice.value}: they were judged by {choice.environment}'s stricter rules: "
               f"{_names([n for n, _, _ in laxer])}.", None)


consistent = stack_policy(
    name=CONSISTENT,
    description="No resource is judged by a laxer environment's rules than the environment it declares "
                "in its tags (production's rules for a resource tagged production).",
    severity=Severity.HIGH,
    remediation=f"Make the stack config's {SETTINGS_KEY} and the resources' environment tags agree: a production "
                "stack declares production in both.",
    check=check_consistent,
)

declared = stack_policy(
    name=DECLARED,
    description="The stack declares its environment in its config, so the pack applies that environment's rules; "
                "without it the pack applies production's (the strict set) and says so here.",
    severity=Severity.LOW,
    remediation=f"Declare the environment (development or production) in the stack config: `pulumi config set "
                f"environment development --stack <stack>` (the project's key), or {SETTINGS_KEY} in a program "
                "built on the iot-tiers settings table.",
    check=check_declared,
    enforcement_level=EnforcementLevel.ADVISORY,
)

#: The environment policies, for the pack's ``PolicyPack(policies=...)``.
POLICIES = [consistent, declared]
