"""botocore's service models, read straight from its data files: one file per service, once per process.

botocore's own ``botocore.model`` is the obvious reader, but importing it pulls in
``botocore.auth`` and ``urllib3`` (about 0.25 s), and ``Loader.load_service_model``
lists every service on the search path on every call (about 0.02 s each, per
service). The preflight starts a fresh pack process for every preview, so that is
paid every time. This module reads the same files the same way and keeps only what
the checks need:

- the data file: ``<search path>/<service>/<newest API version>/service-2.json``
  (or ``.json.gz``), the search path being ``~/.aws/models`` before botocore's own
  ``data/`` folder, and its ``service-2.sdk-extras.json`` merged in, as
  ``botocore.loaders.Loader`` does;
- the shapes: :class:`Shape` exposes the attributes of ``botocore.model.Shape`` the
  checks read (``name``, ``type_name``, ``metadata``, ``enum``, ``members``,
  ``required_members``, ``member``, ``key``, ``value``), resolved lazily and shared:
  a shape reached from two operations is one object, walked once.

A service is loaded the first time a resource needs it, never at import.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import os
from pathlib import Path
from typing import Any, Optional

#: The model keys botocore keeps as a shape's ``metadata`` (``botocore.model.Shape.METADATA_ATTRS``).
METADATA_KEYS = ("required", "min", "max", "pattern", "sensitive", "enum", "idempotencyToken", "document", "union")
TYPE = "service-2"


class ModelNotFound(LookupError):
    pass


def search_paths() -> list[Path]:
    """Where botocore's default ``Loader()`` looks for models, in its order."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("botocore is not installed: the pack lists it in requirements.txt")
    builtin = Path(next(iter(spec.submodule_search_locations))) / "data"
    return [Path(os.path.expanduser("~/.aws/models")), builtin]


def _model_file(version_dir: Path) -> Optional[Path]:
    for name in (f"{TYPE}.json", f"{TYPE}.json.gz"):
        if (version_dir / name).is_file():
            return version_dir / name
    return None


def _read(path: Path) -> Any:
    raw = path.read_bytes()
    return json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)


def _merge(into: dict, extra: dict) -> None:
    """``botocore.utils.merge_dicts``: nested dicts merged, anything else replaced."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def load(service: str) -> dict[str, Any]:
    """The raw model of ``service``, newest API version first on the search path (``Loader`` semantics)."""
    versions: dict[str, Path] = {}
    for root in search_paths():
        folder = root / service
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            if child.name not in versions and _model_file(child) is not None:
                versions[child.name] = child
    if not versions:
        raise ModelNotFound(f"botocore has no {TYPE} model for service {service!r}")
    newest = versions[max(versions)]
    data = _read(_model_file(newest))
    extras = newest / f"{TYPE}.sdk-extras.json"
    if extras.is_file():
        _merge(data, json.loads(extras.read_text()).get("merge", {}))
    return data


class Shape:
    """One shape of a service model, with the reading API of ``botocore.model.Shape``."""

    def __init__(self, model: "ServiceModel", name: str, spec: dict[str, Any]) -> None:
        self.model = model
        self.name = name
        self.spec = spec
        self.type_name: str = spec.get("type", "")
        self.metadata = {k: spec[k] for k in METADATA_KEYS if k in spec}

    @property
    def enum(self) -> list[str]:
        return self.metadata.get("enum", [])

    @functools.cached_property
    def members(self) -> dict[str, "Shape"]:
        return {name: self.model.shape_for(ref["shape"]) for name, ref in self.spec.get("members", {}).items()}

    @property
    def required_members(self) -> list[str]:
        return self.metadata.get("required", [])

    @functools.cached_property
    def member(self) -> "Shape":
        return self.model.shape_for(self.spec["member"]["shape"])

    @functools.cached_property
    def key(self) -> "Shape":
        return self.model.shape_for(self.spec["key"]["shape"])

    @functools.cached_property
    def value(self) -> "Shape":
        return self.model.shape_for(self.spec["value"]["shape"])

    def __repr__(self) -> str:
        return f"<Shape {self.model.service}.{self.name} {self.type_name}>"


class ServiceModel:
    def __init__(self, service: str, data: dict[str, Any]) -> None:
        self.service = service
        self.data = data
        self.api_version = str(data.get("metadata", {}).get("apiVersion", ""))
        self._shapes: dict[str, Shape] = {}

    def shape_for(self, name: str) -> Shape:
        shape = self._shapes.get(name)
        if shape is None:
            try:
                spec = self.data["shapes"][name]
            except KeyError:
                raise KeyError(f"botocore {self.service} has no shape {name!r}") from None
            shape = self._shapes[name] = Shape(self, name, spec)
        return shape

    def input_shape(self, operation: str) -> Shape:
        try:
            ref = self.data["operations"][operation].get("input")
        except KeyError:
            raise KeyError(f"botocore {self.service} has no operation {operation!r}") from None
        if ref is None:
            raise KeyError(f"botocore {self.service} {operation} takes no input")
        return self.shape_for(ref["shape"])

    def operation_names(self) -> list[str]:
        return sorted(self.data.get("operations", {}))


@functools.lru_cache(maxsize=None)
def service_model(service: str) -> ServiceModel:
    """``service``'s model, loaded the first time it is asked for and kept for the process."""
    return ServiceModel(service, load(service))


__all__ = ["ModelNotFound", "ServiceModel", "Shape", "load", "search_paths", "service_model"]
