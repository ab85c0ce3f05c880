"""The engine side of an offline run: a resource monitor that does what the Pulumi engine does.

Pulumi's mock monitor (``pulumi.runtime.mocks.MockMonitor``) answers registrations and
nothing more. The engine (pulumi/pulumi ``pkg/resource/deploy/source_eval.go`` and
``step_generator.go``) also

* names resources: ``urn:pulumi:<stack>::<project>::<parent's qualified type>$<type>::<name>``,
  where a resource parented to the stack gets no ``pulumi:pulumi:Stack$`` prefix;
* refuses a second registration of a URN (``Duplicate resource URN '<urn>'; try giving it a
  unique name``, diagnostic 2001);
* runs transforms before anything else: the resource's own ``ResourceOptions.transforms``,
  then its ancestors' (each ancestor's own transforms, nearest first), then the stack
  transforms (``pulumi.runtime.register_resource_transform``), each a callback into the
  program over the Callbacks gRPC service. When the resource has transforms of its own
  the engine hands them properties as output values carrying their dependencies and
  rebuilds the property dependencies from what they return (``source_eval.go``, "Reparse
  the dependency information"); stack and ancestor transforms leave them as they were;
* runs stack invoke transforms on every invoke.

:class:`CapturingMonitor` does all of that, calling the program's callback server exactly
as the engine does, and records every registration as the engine would hand it on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Optional

import grpc
import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pmocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.proto import callback_pb2, callback_pb2_grpc, resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from .mocks import AwsMocks

STACK_TYPE = "pulumi:pulumi:Stack"

_SIG = rpc._special_sig_key


class EngineError(Exception):
    """What the engine reports as an error for the program (the preview fails)."""


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
    #: Input names the engine leaves alone on update (``ignore_changes``), as the request names them.
    ignore_changes: list[str] = field(default_factory=list)

    @property
    def tags(self) -> dict[str, str]:
        tags = self.inputs.get("tags")
        return dict(tags) if isinstance(tags, dict) else {}

    def as_json(self) -> dict[str, Any]:
        """The contract's ``{"urn","type","name","parent","inputs"}``; unknowns as ``"<unknown>"``."""
        return {"urn": self.urn, "type": self.type, "name": self.name, "parent": self.parent,
                "inputs": shown(self.inputs)}


#: How ``--json`` shows a value the engine does not know at preview.
UNKNOWN_MARKER = "<unknown>"


def shown(value: Any) -> Any:
    """``value`` with every unknown sentinel replaced by :data:`UNKNOWN_MARKER`."""
    if isinstance(value, str):
        return UNKNOWN_MARKER if value == rpc.UNKNOWN else value
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v) for v in value]
    return value


def engine_urn(stack: str, project: str, parent: str, typ: str, name: str) -> str:
    """The URN the engine gives a resource (``generateURN`` in step_generator.go)."""
    parent_type = ""
    if parent:
        qualified = parent.split("::")[2]
        if qualified != STACK_TYPE:
            parent_type = qualified
    qualified_type = f"{parent_type}${typ}" if parent_type else typ
    return f"urn:pulumi:{stack}::{project}::{qualified_type}::{name}"


def duplicate_urn_message(urn: str) -> str:
    """The engine's message for a URN registered twice (sdk/go/common/diag/errors.go, 2001)."""
    return f"Duplicate resource URN '{urn}'; try giving it a unique name"


class CapturingMonitor(pmocks.MockMonitor):
    """A resource monitor that behaves like the engine and keeps every registration's graph data.

    ``captured`` holds what the engine would pass to a policy pack, in registration order.
    Outputs come from ``mocks`` (:class:`~iot_tiers.offline.mocks.AwsMocks`).
    """

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.captured: list[Any] = []
        self.stack_urn = ""
        self._lock = threading.Lock()
        self._registered: set[str] = set()
        self._parents: dict[str, str] = {}
        self._own_transforms: dict[str, list[Any]] = {}
        self._stack_callbacks: list[Any] = []
        self._stack_invoke_callbacks: list[Any] = []
        self._channels: dict[str, grpc.Channel] = {}
        #: Children of opaque remote components that only their outputs reference: urn -> component urn.
        self.hidden_children: dict[str, str] = {}

    # ------------------------------------------------------------ naming
    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return engine_urn(settings.get_stack(), settings.get_project(), parent, type_, name)

    # ------------------------------------------------------------ registrations
    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        _ensure_event_loop()
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        with self._lock:
            if urn in self._registered:
                raise EngineError(duplicate_urn_message(urn))
            self._registered.add(urn)

        props = request.object
        dependencies = list(request.dependencies)
        property_dependencies = {k: list(v.urns) for k, v in request.propertyDependencies.items()}
        options = _transform_options(request)
        own = list(request.transforms)
        chain = own + self._ancestor_transforms(request.parent) + list(self._stack_callbacks)
        if chain:
            if own:
                props = _upgrade_output_values(props, property_dependencies)
            for callback in chain:
                props, options = self._transform(callback, request, props, options)
            if own:
                dependencies = list(options.depends_on)
                property_dependencies = _output_value_dependencies(props)
        with self._lock:
            self._parents[urn] = request.parent
            self._own_transforms[urn] = own

        inputs = to_plain(props, self)
        provider = options.provider
        # The mocks get what the SDK's own mock monitor gives them: the SDK's deserialized values.
        # (Resource references become the referenced id: deserializing them here, on the monitor's
        # thread, would construct resources outside the program's event loop.)
        mock_inputs = rpc.deserialize_properties(_without_resource_references(props, self))
        args = pmocks.MockResourceArgs(typ=request.type, name=request.name, inputs=mock_inputs,
                                       provider=provider,
                                       resource_id=request.importId, custom=request.custom or False)
        if request.remote and isinstance(self.mocks, AwsMocks):
            id_, state, children = self.mocks.remote_component(args, urn)
            for child_urn, (child_id, child_state) in children.items():
                self.resources[child_urn] = pmocks.MockMonitor.ResourceRegistration(child_urn, child_id or "",
                                                                                   child_state)
                self.hidden_children[child_urn] = urn
        else:
            id_, state = self.mocks.new_resource(args)
        self.resources[urn] = pmocks.MockMonitor.ResourceRegistration(urn, id_ or "", state)

        self.captured.append(CapturedResource(
            urn=urn, type=request.type, name=request.name, parent=request.parent, custom=bool(request.custom),
            inputs=inputs, outputs=plain_value(state),
            dependencies=self._visible(dependencies),
            property_dependencies={k: self._visible(v) for k, v in property_dependencies.items()},
            provider=provider or self._default_provider(request),
            protect=bool(options.protect), remote=bool(request.remote), id=id_ or "",
            ignore_changes=list(options.ignore_changes)))
        obj = _sync_await(rpc.serialize_properties(state, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=obj)

    def RegisterResourceOutputs(self, request):  # noqa: N802 (gRPC method name)
        """A component's ``register_outputs``: kept as the component's outputs, as the engine keeps them."""
        for r in self.captured:
            if r.urn == request.urn and not r.custom:
                r.outputs = to_plain(request.outputs, self)
        return super().RegisterResourceOutputs(request)

    def _visible(self, urns: list[str]) -> list[str]:
        """Dependencies on an opaque component's hidden children are dependencies on the component."""
        return list(dict.fromkeys(self.hidden_children.get(u, u) for u in urns))

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

    # ------------------------------------------------------------ transforms
    def RegisterStackTransform(self, request):  # noqa: N802 (gRPC method name)
        self._stack_callbacks.append(request)
        return super().RegisterStackTransform(request)

    def RegisterStackInvokeTransform(self, request):  # noqa: N802 (gRPC method name)
        self._stack_invoke_callbacks.append(request)
        return super().RegisterStackInvokeTransform(request)

    def _ancestor_transforms(self, parent: str) -> list[Any]:
        out: list[Any] = []
        seen: set[str] = set()
        with self._lock:
            while parent and parent not in seen:
                seen.add(parent)
                out.extend(self._own_transforms.get(parent, ()))
                parent = self._parents.get(parent, "")
        return out

    def _stub(self, target: str) -> callback_pb2_grpc.CallbacksStub:
        """A client of the program's callback server at ``target``, as the engine dials it."""
        with self._lock:
            if target not in self._channels:
                self._channels[target] = grpc.insecure_channel(target)
            return callback_pb2_grpc.CallbacksStub(self._channels[target])

    def _invoke_callback(self, callback: Any, request_bytes: bytes) -> bytes:
        try:
            response = self._stub(callback.target).Invoke(
                callback_pb2.CallbackInvokeRequest(token=callback.token, request=request_bytes))
        except grpc.RpcError as exc:
            # The program's transform raised: the engine fails the registration with its message.
            raise EngineError(exc.details() if hasattr(exc, "details") else str(exc)) from None
        return response.response

    def _transform(self, callback: Any, request: Any, props: struct_pb2.Struct,
                   options: resource_pb2.TransformResourceOptions):
        req = resource_pb2.TransformRequest(type=request.type, name=request.name, custom=request.custom,
                                            parent=request.parent, properties=props, options=options)
        resp = resource_pb2.TransformResponse.FromString(self._invoke_callback(callback, req.SerializeToString()))
        return (resp.properties if resp.HasField("properties") else props,
                resp.options if resp.HasField("options") else options)

    def Invoke(self, request):  # noqa: N802 (gRPC method name)
        if self._stack_invoke_callbacks and request.tok != "pulumi:pulumi:getResource":
            args = request.args
            options = resource_pb2.TransformInvokeOptions(provider=request.provider, version=request.version,
                                                          plugin_download_url=request.pluginDownloadURL)
            for callback in self._stack_invoke_callbacks:
                req = resource_pb2.TransformInvokeRequest(token=request.tok, args=args, options=options)
                resp = resource_pb2.TransformInvokeResponse.FromString(
                    self._invoke_callback(callback, req.SerializeToString()))
                args = resp.args if resp.HasField("args") else args
                options = resp.options if resp.HasField("options") else options
            request = resource_pb2.ResourceInvokeRequest(tok=request.tok, args=args, provider=options.provider,
                                                         version=options.version,
                                                         acceptResources=request.acceptResources)
        return super().Invoke(request)

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()


def _transform_options(request: Any) -> resource_pb2.TransformResourceOptions:
    """The options the engine hands a transform, from the registration (``source_eval.go``)."""
    opts = resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies), protect=request.protect,
        ignore_changes=list(request.ignoreChanges), replace_on_changes=list(request.replaceOnChanges),
        version=request.version, provider=request.provider, plugin_download_url=request.pluginDownloadURL,
        retain_on_delete=request.retainOnDelete, deleted_with=request.deletedWith,
        additional_secret_outputs=list(request.additionalSecretOutputs))
    opts.aliases.extend(request.aliases)
    for k, v in request.providers.items():
        opts.providers[k] = v
    if request.HasField("customTimeouts"):
        opts.custom_timeouts.CopyFrom(request.customTimeouts)
    if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace:
        opts.delete_before_replace = request.deleteBeforeReplace
    return opts


def _upgrade_output_values(props: struct_pb2.Struct, deps: dict[str, list[str]]) -> struct_pb2.Struct:
    """Properties with dependencies as output values carrying them, as the engine hands them to transforms."""
    out = struct_pb2.Struct()
    for key, value in props.items():
        urns = deps.get(key) or []
        if not urns:
            out[key] = value
            continue
        wrapped = {_SIG: rpc._special_output_value_sig, "dependencies": list(urns)}
        if value != rpc.UNKNOWN:
            wrapped["value"] = value
        out[key] = wrapped
    return out


def _output_value_dependencies(props: struct_pb2.Struct) -> dict[str, list[str]]:
    """Property dependencies the engine reads back from output values in transformed properties."""
    out: dict[str, list[str]] = {}

    def walk(value: Any, into: list[str]) -> None:
        if isinstance(value, struct_pb2.Struct):
            if _get(value, _SIG) == rpc._special_output_value_sig:
                into.extend(str(u) for u in (_get(value, "dependencies") or []))
            for v in value.values():
                walk(v, into)
        elif isinstance(value, struct_pb2.ListValue):
            for v in value:
                walk(v, into)

    for key, value in props.items():
        urns: list[str] = []
        walk(value, urns)
        out[key] = list(dict.fromkeys(urns))
    return out


def _without_resource_references(value: Any, monitor: CapturingMonitor) -> Any:
    """``value`` (a Struct, ListValue or scalar) with every resource reference replaced by its id or URN."""
    if isinstance(value, struct_pb2.Struct):
        if _get(value, _SIG) == rpc._special_resource_sig:
            return to_plain(value, monitor)
        out = struct_pb2.Struct()
        for k, v in value.items():
            out[k] = _without_resource_references(v, monitor)
        return out
    if isinstance(value, struct_pb2.ListValue):
        out_list = struct_pb2.ListValue()
        for v in value:
            out_list.append(_without_resource_references(v, monitor))
        return out_list
    return value


def _get(struct: struct_pb2.Struct, key: str) -> Any:
    return struct[key] if key in struct else None


def to_plain(value: Any, monitor: Optional[CapturingMonitor] = None) -> Any:
    """A protobuf property value as the engine hands it to an analyzer, in plain Python.

    Unknowns stay the engine's sentinel string; secrets are their value; assets and
    archives keep a marker (``{"__asset": ...}``, ``{"__archive": ...}``); a resource
    reference becomes the resource's id (custom) or URN (component), as the engine
    downgrades references for an analyzer; an output value becomes its value, or the
    unknown sentinel when it has none. Whole numbers come back as ints.
    """
    if isinstance(value, struct_pb2.Struct):
        sig = _get(value, _SIG)
        if sig == rpc._special_secret_sig:
            return to_plain(_get(value, "value"), monitor)
        if sig == rpc._special_output_value_sig:
            return to_plain(_get(value, "value"), monitor) if "value" in value else rpc.UNKNOWN
        if sig == rpc._special_resource_sig:
            urn = str(_get(value, "urn") or "")
            rid = _get(value, "id")
            if rid is None and monitor is not None and urn in monitor.resources:
                rid = monitor.resources[urn].id
            return str(rid) if rid else urn
        if sig == rpc._special_asset_sig:
            kind = "file" if "path" in value else "string" if "text" in value else "remote"
            return {"__asset": kind, **{k: value[k] for k in ("path", "text", "uri") if k in value}}
        if sig == rpc._special_archive_sig:
            if "assets" in value:
                return {"__archive": "assets",
                        "assets": {k: to_plain(v, monitor) for k, v in value["assets"].items()}}
            kind = "file" if "path" in value else "remote"
            return {"__archive": kind, **{k: value[k] for k in ("path", "uri") if k in value}}
        return {k: to_plain(v, monitor) for k, v in value.items()}
    if isinstance(value, struct_pb2.ListValue):
        return [to_plain(v, monitor) for v in value]
    if isinstance(value, float) and value.is_integer():
        # Protobuf carries every number as a double; give integers back their type.
        return int(value)
    return value


def plain_value(value: Any) -> Any:
    """A Python value (a mock's state) in JSON-friendly form: secrets unwrapped, assets marked."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return plain_value(value.get("value"))
        if value.get(rpc._special_sig_key) == rpc._special_resource_sig:
            return str(value.get("id") or value.get("urn") or "")
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    if isinstance(value, pulumi.asset.FileArchive):
        return {"__archive": "file", "path": value.path}
    if isinstance(value, pulumi.asset.AssetArchive):
        return {"__archive": "assets", "assets": {k: plain_value(v) for k, v in value.assets.items()}}
    if isinstance(value, pulumi.asset.FileAsset):
        return {"__asset": "file", "path": value.path}
    if isinstance(value, pulumi.asset.StringAsset):
        return {"__asset": "string", "text": value.text}
    if isinstance(value, pulumi.output.Unknown):
        return rpc.UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, pulumi.Resource):
        return {"__resource": str(type(value).__name__)}
    return value


__all__ = ["CapturedResource", "CapturingMonitor", "UNKNOWN_MARKER", "plain_value", "shown", "EngineError", "duplicate_urn_message", "engine_urn", "to_plain"]
