"""The offline preflight behind ``tiers preview``: run a program, then its policy pack, with no cloud.

1. The program runs under the capturing mock harness (:mod:`iot_tiers.offline.harness`)
   with the stack's config, exactly as ``pulumi preview`` would run it.
2. The policy pack starts as the Pulumi CLI starts it (:mod:`iot_tiers.offline.analyzer`)
   and gets what the engine would send: plugin and analyzer info, the reconciled
   policy config, ``Analyze`` for every resource with its inputs, then
   ``AnalyzeStack`` with parents, dependencies and property dependencies.

Unknowns. Under mocks every output has a value, but in a real *first* preview an
input computed from another resource's output (an ARN, a queue URL) is unknown.
``unknowns="first-preview"`` sends those inputs as the engine's unknown sentinel;
the default, ``"known"``, sends the mock values, which is what the pack sees at
``pulumi up`` (each resource is analysed again once its dependencies exist) and
so the strictest verdict offline. A leaf is treated as unknown when it equals, or
embeds, an output a dependency computes (one that is not among its inputs); the
dependency edges come from the program's property dependencies.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .analyzer import (
    UNKNOWN, AnalyzerError, AnalyzerInfo, Diagnostic, PolicyPackClient, Resource, load_policy_config, reconcile_config,
)
from iot_tiers_policy import PACK_NAME
from iot_tiers_policy.aws_api import NOT_CHECKABLE, NOT_CHECKABLE_LINE

from .harness import Capture, CapturedResource, run_stack

UNKNOWN_MODES = ("known", "first-preview")
#: Outputs a provider computes but Pulumi knows at preview (auto-names are chosen in Check).
_KNOWN_AT_PREVIEW = frozenset({"name", "tagsAll"})


def shipped_pack_dir() -> Path:
    """The iot-tiers pack folder (PulumiPolicy.yaml, __main__.py, config/).

    From the repository or an editable install it is ``policies/``, the folder that holds
    the ``iot_tiers_policy`` package; from a wheel it is the package's ``pack/`` data folder.
    """
    import iot_tiers_policy

    package = Path(iot_tiers_policy.__file__).resolve().parent
    for candidate in (package.parent, package / "pack"):
        if (candidate / "PulumiPolicy.yaml").exists():
            return candidate
    raise AnalyzerError(f"the iot-tiers policy pack is not installed beside {package}: "
                        "pass --policy-pack DIR (a directory with PulumiPolicy.yaml)")


def default_pack_dir(program_dir: Path) -> Path:
    """The program's own ``policies/`` pack when it has one, else the pack shipped with iot-tiers."""
    local = program_dir / "policies"
    if (local / "PulumiPolicy.yaml").exists():
        return local
    return shipped_pack_dir()


@dataclass
class PreviewResult:
    capture: Capture
    pack_dir: Path
    policy_config_path: Optional[Path]
    info: AnalyzerInfo
    config: dict[str, dict[str, Any]]
    resources: list[Resource]
    violations: list[Diagnostic]
    unknowns: str
    timings: dict[str, float] = field(default_factory=dict)
    #: The monthly estimate of the same resources (``iot_tiers.offline.costing.estimate_summary``),
    #: or ``{"error": reason}`` when the cost model could not price them.
    cost: Optional[dict[str, Any]] = None
    #: Each workload's verdict by the decision rule (:func:`iot_tiers_policy.placement.assess`), when
    #: the pack is the iot-tiers pack.
    placements: list[dict[str, Any]] = field(default_factory=list)
    #: The service quotas the stack needs above a new account's defaults
    #: (:func:`iot_tiers.offline.quotas.quota_summary`): information, never a violation.
    quotas: Optional[dict[str, Any]] = None
    #: The environment profile the iot-tiers pack applied (:class:`iot_tiers_policy.environment.Choice`);
    #: None for another pack.
    environment: Optional[Any] = None

    @property
    def mandatory(self) -> list[Diagnostic]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> list[Diagnostic]:
        return [v for v in self.violations if v.level != "mandatory"]

    @property
    def passed(self) -> bool:
        return not self.mandatory

    @property
    def not_checkable(self) -> Optional[int]:
        """How many inputs the AWS API rules could not judge (values unknown at preview); None without them.

        The pack's advisory ``aws-api-not-checkable`` states the count once per stack (it is absent
        when the count is 0); a pack without that policy, or a config disabling it, gives None.
        """
        if self.info.name != PACK_NAME or self.info.policy(NOT_CHECKABLE) is None \
                or self.config.get(NOT_CHECKABLE, {}).get("enforcementLevel") == "disabled":
            return None
        for v in self.violations:
            if v.policy == NOT_CHECKABLE:
                found = NOT_CHECKABLE_LINE.match(v.message.split("\n", 1)[-1])
                if found:
                    return int(found.group(1))
        return 0

    def summary(self) -> dict[str, Any]:
        by_policy: dict[str, int] = {}
        for v in self.violations:
            by_policy[v.policy] = by_policy.get(v.policy, 0) + 1
        return {
            "passed": self.passed,
            "resources": len(self.capture.resources),
            "policies": len(self.info.policies),
            "mandatory": len(self.mandatory),
            "advisory": len(self.advisory),
            "byPolicy": dict(sorted(by_policy.items())),
            "pack": f"{self.info.name}@{self.info.version}",
            "policyConfig": str(self.policy_config_path) if self.policy_config_path else None,
            "environment": self.environment.as_json() if self.environment else None,
            "unknowns": self.unknowns,
            "seconds": {k: round(v, 3) for k, v in self.timings.items()},
            "monthlyCost": self.cost,
            "newStack": self.capture.new_stack,
            "notCheckableAtPreview": self.not_checkable,
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.capture.stack,
            "project": self.capture.project,
            "resources": [r.as_json() for r in self.capture.resources],
            "violations": [v.as_json() for v in self.violations],
            "placements": self.placements,
            "quotas": self.quotas,
            "summary": self.summary(),
        }


# ---------------------------------------------------------------- resources as the engine sends them

def stack_urn(capture: Capture) -> str:
    return f"urn:pulumi:{capture.stack}::{capture.project}::pulumi:pulumi:Stack::{capture.project}-{capture.stack}"


def _providers(capture: Capture, root: str) -> dict[str, Resource]:
    """Provider resources keyed by the reference each custom resource carries (``<urn>::<id>``).

    A resource registered without a reference gets its package's default provider,
    keyed ``default:<pkg>``. A provider's properties are the stack config ``pkg:*``
    entries, as the engine configures a default provider.
    """
    out: dict[str, Resource] = {}
    for r in capture.resources:
        if not r.custom:
            continue
        pkg = r.type.split(":", 1)[0]
        key = r.provider or f"default:{pkg}"
        if key in out:
            continue
        if r.provider:
            urn = r.provider.rsplit("::", 1)[0]
            name = urn.rsplit("::", 1)[-1]
            typ = urn.split("::")[-2] if urn.count("::") >= 3 else f"pulumi:providers:{pkg}"
        else:
            name, typ = f"default_{pkg}", f"pulumi:providers:{pkg}"
            urn = f"urn:pulumi:{capture.stack}::{capture.project}::{typ}::{name}"
        provider_pkg = typ.rsplit(":", 1)[-1]
        props = {k.split(":", 1)[1]: v for k, v in capture.config.items() if k.startswith(f"{provider_pkg}:")}
        out[key] = Resource(urn=urn, type=typ, name=name, properties=props, parent=root)
    return out


def _computed_outputs(r: CapturedResource) -> list[Any]:
    values = [v for k, v in r.outputs.items() if k not in r.inputs and k not in _KNOWN_AT_PREVIEW]
    if r.id:
        values.append(r.id)
    return [v for v in values if (isinstance(v, str) and len(v) >= 8) or (isinstance(v, (list, dict)) and v)]


def _mask(value: Any, computed: list[Any]) -> Any:
    """``value`` with every part derived from a ``computed`` output replaced by the unknown sentinel."""
    for c in computed:
        if value == c:
            return UNKNOWN
    if isinstance(value, str):
        return UNKNOWN if any(isinstance(c, str) and c in value for c in computed) else value
    if isinstance(value, dict):
        return {k: _mask(v, computed) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, computed) for v in value]
    return value


def first_preview_inputs(r: CapturedResource, by_urn: dict[str, CapturedResource]) -> dict[str, Any]:
    """The inputs a first ``pulumi preview`` would send: dependent outputs unknown."""
    out = dict(r.inputs)
    for prop, urns in r.property_dependencies.items():
        if prop not in out or not urns:
            continue
        computed: list[Any] = []
        for urn in urns:
            dep = by_urn.get(urn)
            if dep is not None:
                computed.extend(_computed_outputs(dep))
        if computed:
            out[prop] = _mask(out[prop], computed)
    return out


def engine_resources(capture: Capture, unknowns: str = "known") -> list[Resource]:
    """The stack resource, default providers and every registration, as the engine would hand them over."""
    if unknowns not in UNKNOWN_MODES:
        raise ValueError(f"unknowns must be one of {', '.join(UNKNOWN_MODES)}, got {unknowns!r}")
    root = stack_urn(capture)
    providers = _providers(capture, root)
    by_urn = {r.urn: r for r in capture.resources}
    out = [Resource(urn=root, type="pulumi:pulumi:Stack", name=f"{capture.project}-{capture.stack}",
                    properties={})]
    out.extend({p.urn: p for p in providers.values()}.values())
    for r in capture.resources:
        props = first_preview_inputs(r, by_urn) if unknowns == "first-preview" else dict(r.inputs)
        out.append(Resource(
            urn=r.urn, type=r.type, name=r.name, properties=props, parent=r.parent or root,
            dependencies=list(r.dependencies),
            property_dependencies={k: list(v) for k, v in r.property_dependencies.items() if v},
            protect=r.protect,
            provider=providers.get(r.provider or f"default:{r.type.split(':', 1)[0]}") if r.custom else None))
    return out


# ---------------------------------------------------------------- the preflight

def run_preview(program_dir: str | Path, stack: str, *, pack_dir: Optional[str | Path] = None,
                policy_config: Optional[str | Path] = None, unknowns: str = "known",
                extra_config: Optional[dict[str, Any]] = None) -> PreviewResult:
    """Run ``program_dir`` for ``stack`` under mocks and its policy pack over the result.

    A stack with no ``Pulumi.<stack>.yaml`` is previewed as a new stack (empty stack
    config plus the project's declared defaults), as ``pulumi preview`` does.
    ``pack_dir``: the policy pack (default :func:`default_pack_dir`). ``policy_config``:
    a ``--policy-pack-config`` file (default none, as ``pulumi preview``: the iot-tiers
    pack applies the profile of the stack's environment itself). ``unknowns``:
    ``"known"`` (default) or ``"first-preview"`` (see module doc).
    ``extra_config``: stack config set for this run only (``KEY=VALUE`` of ``pulumi preview
    --config``; a key without a namespace is the project's), over the stack file.
    Raises ``ProjectError``/``ProgramError`` for the program, ``AnalyzerError`` (and its
    ``PolicyConfigError``) for the pack and its config. Nothing after the program run
    raises for the program's content: a policy that fails is a violation of that
    policy, a cost model that fails leaves ``cost`` as ``{"error": ...}``.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    program_dir = Path(program_dir).resolve()
    capture = run_stack(program_dir, stack, new_stack=True, extra_config=extra_config)
    timings["program"] = time.perf_counter() - t0

    pack = Path(pack_dir).resolve() if pack_dir else default_pack_dir(program_dir)
    # As `pulumi preview --policy-pack`: no policy config unless one is given. The iot-tiers
    # pack picks its environment's profile itself (iot_tiers_policy.environment).
    config_path: Optional[Path] = Path(policy_config).resolve() if policy_config else None
    given = load_policy_config(config_path) if config_path else {}
    resources = engine_resources(capture, unknowns)

    t1 = time.perf_counter()
    # Secret values reach the capture as a placeholder (only the CLI can decrypt them).
    with PolicyPackClient(pack, project=capture.project, stack=stack, config=capture.config) as client:
        timings["pack_start"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        client.handshake_and_configure_stack()
        client.plugin_version()
        info = client.analyzer_info()
        config = reconcile_config(info, given, source=str(config_path) if config_path else "policy config",
                                  renamed=_renamed_policies(info))
        client.configure(config)
        violations: list[Diagnostic] = []
        for r in resources:
            if r.type == "pulumi:pulumi:Stack" or r.type.startswith("pulumi:providers:"):
                continue
            violations.extend(client.analyze(r))
        violations.extend(client.analyze_stack(resources))
        timings["analyze"] = time.perf_counter() - t2
    order = {p.name: i for i, p in enumerate(info.policies)}
    violations.sort(key=lambda v: (v.level != "mandatory", order.get(v.policy, 1 << 30), v.urn))
    timings["total"] = time.perf_counter() - t0
    from .quotas import quota_summary

    return PreviewResult(capture, pack, config_path, info, config, resources, violations, unknowns, timings,
                         cost_summary(capture), placements(info, config, resources), quota_summary(capture),
                         environment(info, capture))


def cost_summary(capture: Capture) -> dict[str, Any]:
    """The monthly estimate's summary, or ``{"error": reason}``: the preview's report never fails on it."""
    from .costing import estimate_capture, estimate_summary

    try:
        return estimate_summary(estimate_capture(capture))
    except Exception as exc:  # the cost model is no reason to lose the policy verdicts
        return {"error": f"{type(exc).__name__}: {exc}"}


def environment(info: AnalyzerInfo, capture: Capture) -> Optional[Any]:
    """The profile the iot-tiers pack applied (it chose it from the same stack config); None for other packs."""
    if info.name != PACK_NAME:
        return None
    from iot_tiers_policy.environment import choose

    return choose(capture.config, capture.project)


def _renamed_policies(info: AnalyzerInfo) -> dict[str, str]:
    if info.name != PACK_NAME:
        return {}
    from iot_tiers_policy import RENAMED_POLICIES

    return dict(RENAMED_POLICIES)


def placements(info: AnalyzerInfo, config: dict[str, dict[str, Any]], resources: list[Resource]) -> list[dict[str, Any]]:
    """Each workload's verdict by the decision rule, for the report (the iot-tiers pack only).

    Computed by :func:`iot_tiers_policy.placement.assess`, the code the pack's placement
    policies run, over the same resources and the same reconciled config.
    """
    if info.name != PACK_NAME:
        return []
    from iot_tiers_policy.graph import Graph, Node
    from iot_tiers_policy.placement import WORKLOAD_SERVICE, assess

    nodes = [Node(urn=r.urn, type=r.type, name=r.name, props=dict(r.properties), parent=r.parent or None,
                  dependencies=list(r.dependencies), property_dependencies=dict(r.property_dependencies))
             for r in resources]
    settings = {k: v for k, v in config.get(WORKLOAD_SERVICE, {}).items() if k != "enforcementLevel"}
    try:
        return [v.as_json() for v in assess(Graph(nodes), settings)]
    except Exception as exc:  # the pack itself reports the same failure as a violation
        return [{"error": f"{type(exc).__name__}: {exc}"}]
