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
import json
import os
import runpy
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import pulumi
from pulumi.runtime import mocks as pmocks
from pulumi.runtime import settings
from pulumi.runtime.sync_await import _sync_await

from .mocks import AwsMocks
from .monitor import CapturedResource, CapturingMonitor, EngineError, plain_value
from .project import Project, ProjectError, load_project


@dataclass
class Capture:
    """What a program registered, in registration order, and the stack's outputs."""

    project: str
    stack: str
    resources: list[CapturedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=dict)
    #: True when the stack had no Pulumi.<stack>.yaml (previewed as a new stack).
    new_stack: bool = False

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


@contextlib.contextmanager
def _program_context(directory: Path) -> Iterator[None]:
    """Run as the Pulumi language host would: cwd and import path at the program, for the whole run.

    The language host runs each program in a process of its own, so a program's own
    modules (``infra/``, ``components/``...) are forgotten afterwards: the next program
    run in this process imports its own modules of the same name, not these.
    """
    old_cwd, old_path = os.getcwd(), list(sys.path)
    before = set(sys.modules)
    os.chdir(directory)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        root = str(directory) + os.sep
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules.get(name), "__file__", None) or ""
            if origin.startswith(root) and not any(p in origin for p in ("site-packages", "dist-packages")):
                del sys.modules[name]


def run_stack(program_dir: str | Path, stack: str, *, preview: bool = True,
              extra_config: Optional[dict[str, Any]] = None, new_stack: bool = False) -> Capture:
    """Run ``program_dir``'s ``__main__.py`` for ``stack`` under mocks and capture it.

    ``new_stack``: a stack with no ``Pulumi.<stack>.yaml`` runs as ``pulumi preview`` runs
    a new stack, with an empty stack config plus the project's declared defaults (False:
    a missing stack file is a :class:`ProjectError` naming the stacks there).
    Raises :class:`ProjectError` for a missing or malformed project or stack file
    and :class:`ProgramError` when the program itself fails.
    """
    project = load_project(program_dir)
    if not new_stack and not project.stack_file(stack).exists():
        known = ", ".join(project.stacks()) or "none"
        raise ProjectError(f"no stack file {project.stack_file(stack).name} in {project.directory} "
                           f"(stacks here: {known})")
    loaded = project.load_stack(stack)
    config, secret_keys = dict(loaded.values), list(loaded.secret_keys)
    for k, v in (extra_config or {}).items():
        full = k if ":" in k else f"{project.name}:{k}"
        config[full] = v if isinstance(v, str) else json.dumps(v)
    capture = run_program(project, stack, config, secret_keys, preview=preview)
    capture.new_stack = not loaded.has_stack_file
    return capture


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
        runpy.run_path(str(project.main), run_name="__main__")
        outs = _sync_await(pulumi.Output.from_input(dict(root.outputs)).future())
        exported.update(outs or {})

    try:
        with _program_context(project.directory):
            _sync_await(pmocks.run_pulumi_func(body))
    except pulumi.RunError as exc:
        raise ProgramError(str(exc), config_error=True) from None
    except SystemExit as exc:
        raise ProgramError(f"the program exited with status {exc.code}") from None
    except Exception as exc:
        engine = _engine_error(exc)
        if engine is not None:
            raise ProgramError(f"error: {engine}") from None
        # The user's program crashed: show its traceback, not ours.
        raise ProgramError(program_traceback(exc, project.directory)) from None
    finally:
        pulumi.runtime.set_all_config({}, [])
        monitor.close()

    return Capture(project.name, stack, list(monitor.captured), plain_value(exported), dict(config))


def _engine_error(exc: BaseException) -> Optional[EngineError]:
    """The engine's own error behind an exception the SDK raised, if there is one."""
    seen: set[int] = set()
    stack: list[Optional[BaseException]] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, EngineError):
            return e
        stack.extend([e.__cause__, e.__context__])
    return None


#: Frames of these packages are never the program's own: the SDKs and this harness.
_NOT_THE_PROGRAM = (f"{os.sep}pulumi{os.sep}", f"{os.sep}pulumi_aws{os.sep}", f"{os.sep}pulumi_awsx{os.sep}",
                    f"{os.sep}iot_tiers{os.sep}offline{os.sep}", f"{os.sep}asyncio{os.sep}")


def program_traceback(exc: BaseException, directory: Path) -> str:
    """The traceback of a program's own error: its frames (and the iot-tiers components it uses), not ours."""
    tb = traceback.TracebackException.from_exception(exc)
    frames = [f for f in tb.stack if str(directory) in (f.filename or "")
              or ("components" in (f.filename or "") and not any(p in (f.filename or "") for p in _NOT_THE_PROGRAM))]
    tb.stack = traceback.StackSummary.from_list(frames or list(tb.stack))
    return "".join(tb.format()).rstrip()


__all__ = ["Capture", "CapturedResource", "ProgramError", "ProjectError", "program_traceback", "run_stack",
           "run_program"]
