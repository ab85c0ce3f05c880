"""A client for a CrossGuard policy pack: start it as the Pulumi CLI does, speak ``pulumirpc.Analyzer``.

How the CLI runs a Python policy pack (pulumi/pulumi, ``sdk/go/common/resource/plugin/
analyzer_plugin.go`` and ``sdk/python/cmd/pulumi-language-python/main.go``, RunPlugin):

* it runs ``python -u -m pulumi.policy <engine address> <pack dir>`` with the pack
  directory as working directory (``pulumi.policy`` then ``runpy``-runs the pack's
  ``__main__.py``, which puts the pack directory on ``sys.path``);
* the environment carries ``PULUMI_CONFIG`` (the stack config as a JSON object of
  strings), ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_ORGANIZATION`` and
  ``PULUMI_DRY_RUN``;
* the pack prints the port of its gRPC server on stdout;
* the CLI then calls ``Handshake`` (optional), ``ConfigureStack``, ``GetPluginInfo``,
  ``GetAnalyzerInfo``, ``Configure`` with the reconciled policy config, ``Analyze``
  for each resource and ``AnalyzeStack`` once, properties marshalled with unknowns
  kept as the engine's sentinel strings.

This module does exactly that, with no engine: the engine address is a
placeholder (``pulumi.policy`` parses it and never dials it). The interpreter is
the pack's own virtualenv when PulumiPolicy.yaml names one that exists, else ours.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import grpc
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc as pb_grpc

from .process import PluginError, PluginProcess

#: The engine's marshalling signature keys for assets and archives (sdk/go/common/resource/properties.go).
SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
#: What the engine sends for an input that depends on an output not known yet.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

#: What ``pulumi.policy`` is given as the engine address; it parses it but never dials it.
PLACEHOLDER_ENGINE = "127.0.0.1:0"

LEVELS = {pb.ADVISORY: "advisory", pb.MANDATORY: "mandatory", pb.REMEDIATE: "remediate", pb.DISABLED: "disabled"}
LEVEL_VALUES = {v: k for k, v in LEVELS.items()}
SEVERITIES = {pb.POLICY_SEVERITY_UNSPECIFIED: "", pb.POLICY_SEVERITY_LOW: "low",
              pb.POLICY_SEVERITY_MEDIUM: "medium", pb.POLICY_SEVERITY_HIGH: "high",
              pb.POLICY_SEVERITY_CRITICAL: "critical"}
POLICY_TYPES = {pb.POLICY_TYPE_UNKNOWN: "", pb.POLICY_TYPE_RESOURCE: "resource", pb.POLICY_TYPE_STACK: "stack"}


class AnalyzerError(Exception):
    """The policy pack could not be started or answered with an error."""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    level: str
    severity: str
    type: str
    remediation: str
    config_schema: dict[str, Any]
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalyzerInfo:
    name: str
    version: str
    description: str
    policies: tuple[PolicyInfo, ...]
    initial_config: dict[str, dict[str, Any]]

    def policy(self, name: str) -> Optional[PolicyInfo]:
        return next((p for p in self.policies if p.name == name), None)


@dataclass(frozen=True)
class Diagnostic:
    """One violation, as the pack reported it."""

    policy: str
    pack: str
    pack_version: str
    level: str
    severity: str
    urn: str
    message: str
    description: str

    def as_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "pack": self.pack, "level": self.level, "urn": self.urn,
                "message": self.message, "severity": self.severity, "packVersion": self.pack_version}


@dataclass
class Resource:
    """A resource as the engine hands it to an analyzer."""

    urn: str
    type: str
    name: str
    properties: dict[str, Any]
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    provider: Optional["Resource"] = None


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Marshal properties as the engine does: internal ``__`` keys dropped, assets and archives signed."""
    s = struct_pb2.Struct()
    s.update({k: _marshal(v) for k, v in props.items() if not str(k).startswith("__")})
    return s


def _marshal(value: Any) -> Any:
    if isinstance(value, Mapping):
        # The capture harness keeps assets and archives as {"__asset": kind, ...} / {"__archive": kind, ...}.
        if "__asset" in value:
            out = {SPECIAL_SIG_KEY: ASSET_SIG}
            out.update({k: v for k, v in value.items() if k in ("path", "text", "uri")})
            return out
        if "__archive" in value:
            out = {SPECIAL_SIG_KEY: ARCHIVE_SIG}
            if "assets" in value:
                out["assets"] = {k: _marshal(v) for k, v in value["assets"].items()}
            out.update({k: v for k, v in value.items() if k in ("path", "uri")})
            return out
        return {str(k): _marshal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_marshal(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def _options(r: Resource) -> pb.AnalyzerResourceOptions:
    return pb.AnalyzerResourceOptions(
        protect=r.protect, parent=r.parent,
        customTimeouts=pb.AnalyzerResourceOptions.CustomTimeouts())


def _provider(r: Resource) -> Optional[pb.AnalyzerProviderResource]:
    if r.provider is None:
        return None
    p = r.provider
    return pb.AnalyzerProviderResource(type=p.type, urn=p.urn, name=p.name, properties=to_struct(p.properties))


def _diagnostics(resp: pb.AnalyzeResponse, default_urn: str = "", version: str = "") -> list[Diagnostic]:
    out = []
    for d in resp.diagnostics:
        out.append(Diagnostic(
            # As the CLI: PulumiPolicy.yaml's version, when it has one, wins over the pack's answer.
            policy=d.policyName, pack=d.policyPackName, pack_version=version or d.policyPackVersion,
            level=LEVELS.get(d.enforcementLevel, str(d.enforcementLevel)),
            severity=SEVERITIES.get(d.severity, ""),
            # The engine files a resource's diagnostic without a URN under that resource.
            urn=d.urn or default_urn, message=d.message, description=d.description))
    return out


def pack_interpreter(pack_dir: Path) -> str:
    """The Python that runs the pack: its PulumiPolicy.yaml virtualenv if present, else this one."""
    doc = load_pack_file(pack_dir)
    runtime = doc.get("runtime")
    options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
    venv = (options or {}).get("virtualenv")
    if venv:
        candidate = (pack_dir / venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
        if candidate.exists():
            return str(candidate)
    return sys.executable


def pack_command(pack_dir: Path) -> list[str]:
    """The command the CLI runs for a pack: ``python -m pulumi.policy``, or for a Node.js pack
    ``node <its @pulumi/pulumi>/cmd/run-policy-pack`` (what the Node.js language host runs for
    analyzer plugins), each given the engine address and the pack directory."""
    runtime = load_pack_file(pack_dir).get("runtime")
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name == "nodejs":
        script = pack_dir / "node_modules" / "@pulumi" / "pulumi" / "cmd" / "run-policy-pack"
        if not script.is_dir():
            raise AnalyzerError(f"{pack_dir} is a Node.js policy pack without its dependencies: run 'npm install' "
                                f"there ({script} is missing)")
        return ["node", str(script), PLACEHOLDER_ENGINE, str(pack_dir)]
    return [pack_interpreter(pack_dir), "-u", "-m", "pulumi.policy", PLACEHOLDER_ENGINE, str(pack_dir)]


def load_pack_file(pack_dir: Path) -> dict[str, Any]:
    path = pack_dir / "PulumiPolicy.yaml"
    if not path.exists():
        raise AnalyzerError(f"{pack_dir} is not a policy pack: it has no PulumiPolicy.yaml")
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise AnalyzerError(f"{path} is not valid YAML: {exc}") from None
    runtime = doc.get("runtime")
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name not in ("python", "nodejs"):
        raise AnalyzerError(f"{path}: runtime is {name!r}; only Python and Node.js policy packs can run offline")
    return doc


class PolicyPackClient:
    """A running policy pack process and a gRPC channel to it. Use as a context manager.

    ``pack_dir``: the directory holding PulumiPolicy.yaml. ``project``/``stack``: what
    the CLI puts in PULUMI_PROJECT/PULUMI_STACK. ``config``: the stack config (full
    ``ns:key`` names to strings), passed as PULUMI_CONFIG. ``dry_run``: True for a
    preview (default). ``start_timeout``: seconds to wait for the port (default 60).
    """

    def __init__(self, pack_dir: str | Path, *, project: str, stack: str,
                 config: Optional[Mapping[str, str]] = None, secret_keys: Iterable[str] = (),
                 dry_run: bool = True, organization: str = "organization",
                 start_timeout: float = 60.0) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.organization = project, stack, organization
        self.config = dict(config or {})
        self.secret_keys = list(secret_keys)
        self.dry_run = dry_run
        self.start_timeout = start_timeout
        self._plugin: Optional[PluginProcess] = None
        self.stub: Optional[pb_grpc.AnalyzerStub] = None
        self.port: Optional[int] = None
        self.version = ""

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "PolicyPackClient":
        self.version = str(load_pack_file(self.pack_dir).get("version") or "")
        env = dict(os.environ)
        env.update({
            "PULUMI_CONFIG": json.dumps(self.config),
            "PULUMI_PROJECT": self.project,
            "PULUMI_STACK": self.stack,
            "PULUMI_ORGANIZATION": self.organization,
            "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
        })
        # pulumi_policy stops its server on KeyboardInterrupt: SIGINT first, then insist.
        self._plugin = PluginProcess(pack_command(self.pack_dir), name=f"policy pack {self.pack_dir}",
                                     cwd=self.pack_dir, env=env, start_timeout=self.start_timeout,
                                     stop_signal=signal.SIGINT)
        try:
            self._plugin.start()
        except PluginError as exc:
            raise AnalyzerError(str(exc)) from None
        self.port = self._plugin.port
        self.stub = pb_grpc.AnalyzerStub(self._plugin.channel)
        return self

    @property
    def process(self) -> Optional[subprocess.Popen]:
        return self._plugin.process if self._plugin else None

    def stderr_text(self) -> str:
        return self._plugin.stderr_text() if self._plugin else ""

    def close(self) -> None:
        if self._plugin is not None:
            self._plugin.close()

    def __enter__(self) -> "PolicyPackClient":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------ calls
    def _call(self, method: str, request: Any) -> Any:
        assert self.stub is not None and self._plugin is not None, "start() the client first"
        try:
            return self._plugin.call(self.stub, method, request, timeout=None)
        except PluginError as exc:
            raise AnalyzerError(str(exc)) from None

    def handshake_and_configure_stack(self, tags: Optional[Mapping[str, str]] = None) -> None:
        """Handshake (skipped when the pack does not implement it) and ConfigureStack, as the CLI does."""
        for method, request in (
            ("Handshake", pb.AnalyzerHandshakeRequest(engine_address=PLACEHOLDER_ENGINE,
                                                      root_directory=str(self.pack_dir),
                                                      program_directory=str(self.pack_dir))),
            ("ConfigureStack", pb.AnalyzerStackConfigureRequest(
                stack=self.stack, project=self.project, organization=self.organization, dry_run=self.dry_run,
                config=self.config, config_secret_keys=self.secret_keys, tags=dict(tags or {}))),
        ):
            try:
                getattr(self.stub, method)(request)
            except grpc.RpcError as exc:
                if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                    raise AnalyzerError(f"policy pack {method} failed: {exc.details()}") from None

    def plugin_version(self) -> str:
        return self._call("GetPluginInfo", empty_pb2.Empty()).version

    def analyzer_info(self) -> AnalyzerInfo:
        resp = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        policies = []
        for p in resp.policies:
            policies.append(PolicyInfo(
                name=p.name, description=p.description, level=LEVELS.get(p.enforcementLevel, "advisory"),
                severity=SEVERITIES.get(p.severity, ""), type=POLICY_TYPES.get(p.policy_type, ""),
                remediation=p.remediation_steps,
                config_schema=json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {},
                required=tuple(p.configSchema.required) if p.HasField("configSchema") else ()))
        initial = {}
        for k, v in resp.initialConfig.items():
            entry = json_format.MessageToDict(v.properties) if v.HasField("properties") else {}
            entry["enforcementLevel"] = LEVELS.get(v.enforcementLevel, "advisory")
            initial[k] = entry
        return AnalyzerInfo(resp.name, self.version or resp.version, resp.description, tuple(policies), initial)

    def configure(self, config: Mapping[str, Mapping[str, Any]]) -> None:
        """Send reconciled policy config: ``{policy: {"enforcementLevel": ..., <properties>}}``."""
        request = pb.ConfigureAnalyzerRequest()
        for name, entry in config.items():
            props = struct_pb2.Struct()
            props.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
            request.policyConfig[name].CopyFrom(pb.PolicyConfig(
                enforcementLevel=LEVEL_VALUES[entry["enforcementLevel"]], properties=props))
        self._call("Configure", request)

    def analyze(self, r: Resource) -> list[Diagnostic]:
        req = pb.AnalyzeRequest(type=r.type, properties=to_struct(r.properties), urn=r.urn, name=r.name,
                                options=_options(r), provider=_provider(r))
        return _diagnostics(self._call("Analyze", req), default_urn=r.urn, version=self.version)

    def analyze_stack(self, resources: Iterable[Resource]) -> list[Diagnostic]:
        req = pb.AnalyzeStackRequest()
        for r in resources:
            req.resources.append(pb.AnalyzerResource(
                type=r.type, properties=to_struct(r.properties), urn=r.urn, name=r.name, options=_options(r),
                provider=_provider(r), parent=r.parent, dependencies=list(r.dependencies),
                propertyDependencies={k: pb.AnalyzerPropertyDependencies(urns=v)
                                      for k, v in r.property_dependencies.items() if v}))
        return _diagnostics(self._call("AnalyzeStack", req), version=self.version)


# ---------------------------------------------------------------- policy config

class PolicyConfigError(AnalyzerError):
    """A policy config file is malformed or does not fit the pack."""


def load_policy_config(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a ``--policy-pack-config`` file as the CLI does (pkg/resource/analyzer/config.go).

    Each key is a policy name (or ``all``); each value an enforcement level string or
    an object with an optional ``enforcementLevel`` and properties. ``environments``
    is ignored, as the CLI ignores it here.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise PolicyConfigError(f"cannot read policy config {path}: {exc.strerror}") from None
    if not text.strip():
        return {}
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise PolicyConfigError(f"policy config {path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise PolicyConfigError(f"policy config {path} must be a JSON object of policy name -> level or settings")
    doc.pop("environments", None)
    out: dict[str, dict[str, Any]] = {}
    for name, value in doc.items():
        if isinstance(value, str):
            entry: dict[str, Any] = {"enforcementLevel": value}
        elif isinstance(value, dict):
            entry = dict(value)
        else:
            raise PolicyConfigError(f"policy config {path}: {name!r} must be a level string or an object, "
                                    f"got {json.dumps(value)}")
        level = entry.get("enforcementLevel")
        if level is not None and level not in LEVEL_VALUES:
            raise PolicyConfigError(f"policy config {path}: {name!r} has enforcement level {level!r}; allowed: "
                                    f"{', '.join(LEVEL_VALUES)}")
        out[name] = entry
    return out


def reconcile_config(info: AnalyzerInfo, given: Optional[Mapping[str, Mapping[str, Any]]],
                     source: str = "policy config", renamed: Optional[Mapping[str, str]] = None
                     ) -> dict[str, dict[str, Any]]:
    """The config the CLI sends to Configure: schema defaults, then the pack's initial config, then ``given``.

    Validates each policy's properties against its schema (as the CLI does) and, unlike
    the CLI, refuses names that are not policies of the pack: a misspelt name would
    otherwise silently leave a policy at its default level. ``renamed`` maps former
    policy names to current ones, for the message.
    """
    import jsonschema

    result: dict[str, dict[str, Any]] = {}
    for p in info.policies:
        entry = {k: v["default"] for k, v in p.config_schema.items() if isinstance(v, dict) and "default" in v}
        entry["enforcementLevel"] = p.level
        result[p.name] = entry
    known = set(result)
    for raw in (info.initial_config, dict(given or {})):
        layer = {k: ({"enforcementLevel": v} if isinstance(v, str) else dict(v)) for k, v in raw.items()}
        for name, entry in layer.items():
            level = entry.get("enforcementLevel")
            if level is not None and level not in LEVEL_VALUES:
                raise PolicyConfigError(f"{source}: {name!r} has enforcement level {level!r}; allowed: "
                                        f"{', '.join(LEVEL_VALUES)}")
        if "all" in layer and layer["all"].get("enforcementLevel"):
            for entry in result.values():
                entry["enforcementLevel"] = layer["all"]["enforcementLevel"]
        for name, entry in layer.items():
            if name == "all":
                continue
            if name not in known:
                if (renamed or {}).get(name) in known:
                    raise PolicyConfigError(f"{source}: policy {name!r} is now {renamed[name]!r}: rename it in "
                                            f"the policy config (its settings are the same)")
                raise PolicyConfigError(
                    f"{source}: {name!r} is not a policy of pack {info.name}; its policies are: "
                    f"{', '.join(sorted(known))}")
            result[name].update(entry)
    errors = []
    for p in info.policies:
        props = {k: v for k, v in result[p.name].items() if k != "enforcementLevel"}
        schema = {"type": "object", "properties": p.config_schema}
        if p.required:
            schema["required"] = list(p.required)
        for err in jsonschema.Draft7Validator(schema).iter_errors(props):
            where = ".".join(str(x) for x in err.absolute_path) or "(root)"
            errors.append(f"{p.name}: {where}: {err.message}")
    if errors:
        raise PolicyConfigError(f"{source} does not fit the pack's config schema:\n  " + "\n  ".join(errors))
    return result
