"""Pulumi plugins started as the CLI starts them, and an engine for them to talk to, offline.

- :class:`PluginProcess` runs a plugin process (``python <plugin dir> <engine address>``, as
  Pulumi's Python host runs a source plugin), reads the port it prints, and opens a gRPC
  channel to it.
- :class:`EngineServer` serves Pulumi's ``Engine`` and ``ResourceMonitor`` gRPC services
  from the capturing mock monitor of :mod:`.harness`: what a component provider registers
  its children with while it constructs a remote component, and what records them.
- :class:`ComponentProviderClient` speaks the provider protocol to a component package:
  ``GetSchema``, and ``Construct`` of one component, whose children the engine server captures.
"""

from __future__ import annotations

import contextvars
import json
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import settings
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2, provider_pb2_grpc
from pulumi.runtime.proto import resource_pb2, resource_pb2_grpc

from .harness import Capture
from .mocks import AwsMocks
from .monitor import CapturingMonitor
from .process import MAX_MESSAGE, PluginError, PluginProcess  # noqa: F401 (PluginError: for callers)


class _Monitor(resource_pb2_grpc.ResourceMonitorServicer):
    """The ResourceMonitor service, answered by the capturing mock monitor (one call at a time)."""

    def __init__(self, monitor: CapturingMonitor, context: contextvars.Context) -> None:
        self.monitor = monitor
        self.lock = threading.Lock()
        # Pulumi's settings (project, stack) live in context variables: the server's threads
        # answer in the context the server was made in.
        self.context = context

    def _do(self, method: str, request: Any) -> Any:
        with self.lock:
            return self.context.run(getattr(self.monitor, method), request)

    def SupportsFeature(self, request, context):  # noqa: N802 (gRPC method names)
        # The mock monitor answers with a plain object; on the wire it must be the message.
        return resource_pb2.SupportsFeatureResponse(hasSupport=self._do("SupportsFeature", request).hasSupport)

    def GetDeploymentInfo(self, request, context):  # noqa: N802
        return self._do("GetDeploymentInfo", request)

    def RegisterResource(self, request, context):  # noqa: N802
        return self._do("RegisterResource", request)

    def RegisterResourceOutputs(self, request, context):  # noqa: N802
        return self._do("RegisterResourceOutputs", request)

    def ReadResource(self, request, context):  # noqa: N802
        return self._do("ReadResource", request)

    def Invoke(self, request, context):  # noqa: N802
        return self._do("Invoke", request)

    def RegisterStackTransform(self, request, context):  # noqa: N802
        return self._do("RegisterStackTransform", request)


class _Engine(engine_pb2_grpc.EngineServicer):
    """The Engine service: keeps log messages, knows the root (stack) resource."""

    def __init__(self, root_urn: str) -> None:
        self.root_urn = root_urn
        self.logs: list[tuple[int, str]] = []

    def Log(self, request, context):  # noqa: N802
        self.logs.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):  # noqa: N802
        return engine_pb2.GetRootResourceResponse(urn=self.root_urn)

    def SetRootResource(self, request, context):  # noqa: N802
        self.root_urn = request.urn
        return engine_pb2.SetRootResourceResponse()


class EngineServer:
    """An engine and resource monitor on loopback that capture what a provider registers."""

    def __init__(self, project: str, stack: str, *, preview: bool = True) -> None:
        self.project, self.stack, self.preview = project, stack, preview
        settings.reset_options(project=project, stack=stack, preview=preview)
        self.monitor = CapturingMonitor(AwsMocks())
        stack_urn = self.monitor.RegisterResource(resource_pb2.RegisterResourceRequest(
            type="pulumi:pulumi:Stack", name=f"{project}-{stack}")).urn
        self.engine = _Engine(stack_urn)
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.max_send_message_length", MAX_MESSAGE)])
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(_Monitor(self.monitor, contextvars.copy_context()),
                                                                self.server)
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def stack_urn(self) -> str:
        return self.engine.root_urn

    def capture(self) -> Capture:
        return Capture(project=self.project, stack=self.stack, resources=list(self.monitor.captured))

    def __enter__(self) -> "EngineServer":
        self.server.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.stop(grace=None)


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(json.loads(json.dumps(values)))
    return out


class ComponentProviderClient:
    """A component package's plugin folder, run as Pulumi runs it, spoken to over its gRPC protocol."""

    def __init__(self, plugin_dir: Path, engine: EngineServer, *, python: str = sys.executable) -> None:
        self.plugin_dir = Path(plugin_dir)
        self.engine = engine
        # As Pulumi's Python host runs a source plugin: `python <plugin dir> <engine address>`.
        self.process = PluginProcess([python, str(self.plugin_dir), engine.address],
                                     name=f"component provider {self.plugin_dir}", cwd=self.plugin_dir)
        self.stub: Optional[provider_pb2_grpc.ResourceProviderStub] = None

    def __enter__(self) -> "ComponentProviderClient":
        self.process.start()
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.process.channel)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.process.close()

    def schema(self) -> dict[str, Any]:
        reply = self.process.call(self.stub, "GetSchema", provider_pb2.GetSchemaRequest(version=0))
        return json.loads(reply.schema)

    def construct(self, type_token: str, name: str, inputs: Mapping[str, Any]) -> provider_pb2.ConstructResponse:
        """``Construct`` one component as the engine asks for a remote component in a program."""
        e = self.engine
        return self.process.call(self.stub, "Construct", provider_pb2.ConstructRequest(
            project=e.project, stack=e.stack, organization="organization", dryRun=e.preview, parallel=4,
            monitorEndpoint=e.address, type=type_token, name=name, parent=e.stack_urn,
            inputs=_struct(inputs), accepts_output_values=True))
