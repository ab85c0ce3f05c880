"""The capturing mock harness: run a Pulumi program offline and record its graph.

``run_stack(program_dir, stack)`` runs a Python Pulumi program under Pulumi's mock
runtime with the config ``pulumi preview`` would give it (Pulumi.yaml defaults plus
Pulumi.<stack>.yaml) and records every resource registration: type, name, inputs,
parent, dependencies, property dependencies and provider. Tests, ``tiers preview``
and ``tiers cost`` all read the same :class:`Capture`.

No Pulumi CLI, provider plugin or AWS account is involved: the program's own
``__main__.py`` runs exactly as ``pulumi up`` would run it, and only the engine
on the other side of the resource monitor is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import runpy
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import pulumi
from pulumi.runtime import mocks as pmocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.sync_await import _sync_await

from .mocks import AwsMocks
from .project import Project, ProjectError, load_project


@dataclass
class CapturedResource:
    """One registration, as the engine (and so a policy pack) would see it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str
    protect: bool = False
    remote: bool = False
    id: str = ""

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.inputs.get("tags") or {})

    def as_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "parent": self.parent,
                "inputs": self.inputs}


@dataclass
class Capture:
    """What a program registered, in registration order, and the stack's outputs."""

    project: str
    stack: str
    resources: list[CapturedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=dict)

    def by_type(self, typ: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str) -> CapturedResource:
        found = self.by_type(typ)
        if len(found) != 1:
            raise AssertionError(f"expected one {typ}, found {len(found)}: {[r.name for r in found]}")
        return found[0]

    def by_urn(self, urn: str) -> CapturedResource:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def children(self, parent_urn: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.parent == parent_urn]

    def descendants(self, parent_urn: str) -> list[CapturedResource]:
        out, frontier = [], [parent_urn]
        while frontier:
            urn = frontier.pop()
            for r in self.resources:
                if r.parent == urn:
                    out.append(r)
                    frontier.append(r.urn)
        return out


class ProgramError(Exception):
    """The program failed: a config error (its message alone) or a crash (with its traceback)."""

    def __init__(self, message: str, *, config_error: bool = False) -> None:
        super().__init__(message)
        self.config_error = config_error


class CapturingMonitor(pmocks.MockMonitor):
    """A mock resource monitor that keeps every registration request's graph data."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.captured: list[CapturedResource] = []
        self.stack_urn = ""

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
            return response
        inputs = rpc.deserialize_properties(request.object)
        registered = self.resources.get(response.urn)
        self.captured.append(CapturedResource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=bool(request.custom),
            inputs=_plain(inputs),
            outputs=_plain(registered.state if registered else {}),
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            provider=request.provider or self._default_provider(request),
            protect=bool(request.protect),
            remote=bool(request.remote),
            id=registered.id if registered else "",
        ))
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802 (gRPC method name)
        """A component's ``register_outputs``: kept as the component's outputs, as the engine keeps them."""
        for r in self.captured:
            if r.urn == request.urn and not r.custom:
                r.outputs = _plain(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)

    def _default_provider(self, request) -> str:
        """The reference the engine gives a custom resource that names no provider.

        Pulumi creates one default provider per package and version; its URN and id
        are what a policy pack sees as the resource's provider.
        """
        if not request.custom:
            return ""
        package = request.type.split(":", 1)[0]
        version = (request.version or "").replace(".", "_")
        name = f"default_{version}" if version else "default"
        stack, project = settings.get_stack(), settings.get_project()
        return f"urn:pulumi:{stack}::{project}::pulumi:providers:{package}::{name}::{package}-default-id"


def _plain(value: Any) -> Any:
    """Strip Pulumi's wrappers (secrets, assets) into JSON-friendly values."""
    if isinstance(value, dict):
        if rpc._special_sig_key in value and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _plain(value.get("value"))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.asset.FileArchive):
        return {"__archive": "file", "path": value.path}
    if isinstance(value, pulumi.asset.AssetArchive):
        return {"__archive": "assets", "assets": {k: _plain(v) for k, v in value.assets.items()}}
    if isinstance(value, pulumi.asset.FileAsset):
        return {"__asset": "file", "path": value.path}
    if isinstance(value, pulumi.asset.StringAsset):
        return {"__asset": "string", "text": value.text}
    if isinstance(value, float) and value.is_integer():
        # Protobuf carries every number as a double; give integers back their type.
        return int(value)
    if isinstance(value, pulumi.Resource):
        return {"__resource": str(type(value).__name__)}
    return value


@contextlib.contextmanager
def _program_context(directory: Path) -> Iterator[None]:
    """Run as the Pulumi language host would: cwd and import path at the program."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(directory)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path


def run_stack(program_dir: str | Path, stack: str, *, preview: bool = True,
              extra_config: Optional[dict[str, Any]] = None) -> Capture:
    """Run ``program_dir``'s ``__main__.py`` for ``stack`` under mocks and capture it.

    Raises :class:`ProjectError` for a missing or malformed project or stack file
    and :class:`ProgramError` when the program itself fails.
    """
    project = load_project(program_dir)
    config, secret_keys = project.stack_config(stack)
    for k, v in (extra_config or {}).items():
        full = k if ":" in k else f"{project.name}:{k}"
        config[full] = v if isinstance(v, str) else __import__("json").dumps(v)
    return run_program(project, stack, config, secret_keys, preview=preview)


def run_program(project: Project, stack: str, config: dict[str, str],
                secret_keys: Optional[list[str]] = None, *, preview: bool = True) -> Capture:
    region = config.get("aws:region", "us-east-1")
    monitor = CapturingMonitor(AwsMocks(region=region))

    # Pulumi's runtime drives the program on the thread's current event loop; a caller
    # that used asyncio.run() before us has left none, so give this run a fresh one.
    asyncio.set_event_loop(asyncio.new_event_loop())
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config(dict(config), list(secret_keys or []))
    pmocks.set_mocks(monitor.mocks, project=project.name, stack=stack, preview=preview,
                     monitor=monitor)
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    root = settings.get_root_resource()
    exported: dict[str, Any] = {}

    def body() -> None:
        with _program_context(project.directory):
            runpy.run_path(str(project.main), run_name="__main__")
        outs = _sync_await(pulumi.Output.from_input(dict(root.outputs)).future())
        exported.update(outs or {})

    try:
        _sync_await(pmocks.run_pulumi_func(body))
    except pulumi.RunError as exc:
        raise ProgramError(str(exc), config_error=True) from None
    except SystemExit as exc:
        raise ProgramError(f"the program exited with status {exc.code}") from None
    except Exception as exc:  # the user's program crashed: show its traceback, not ours
        tb = traceback.TracebackException.from_exception(exc)
        frames = [f for f in tb.stack if str(project.directory) in (f.filename or "")
                  or "components" in (f.filename or "")]
        tb.stack = traceback.StackSummary.from_list(frames or list(tb.stack))
        raise ProgramError("".join(tb.format()).rstrip()) from None
    finally:
        pulumi.runtime.set_all_config({}, [])

    return Capture(project.name, stack, list(monitor.captured), _plain(exported), dict(config))


__all__ = ["Capture", "CapturedResource", "ProgramError", "ProjectError", "run_stack", "run_program"]
