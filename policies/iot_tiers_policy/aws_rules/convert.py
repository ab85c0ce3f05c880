"""Pulumi inputs as API request parameters.

pulumi-aws inputs are the Terraform provider's attributes in camelCase; the Terraform
provider copies most nested blocks member by member into the API's structures, whose
members have the same names in PascalCase (``healthCheck.interval`` aside: those the
per-type specs in :mod:`.requests` spell out). :func:`like` does that copy against a
botocore shape, keeping track of which input each API member came from so a finding
names what the program wrote. An attribute with no member of that name it leaves
out (not placing a value is never a violation); a value of the wrong kind (a string
where the API wants a structure) it keeps as it is, for the validator to name.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable, Mapping, Optional

#: A converted request: API member paths -> the input path each came from.
Origins = dict[str, str]


@functools.lru_cache(maxsize=4096)
def norm(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def parse_json(value: Any) -> Any:
    """A JSON-string input (container definitions, policies) as data; other values unchanged."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Converter:
    """Copies input values into a shape; ``renames`` maps input keys to member names at any depth."""

    def __init__(self, is_unknown: Callable[[Any], bool], renames: Optional[Mapping[str, str]] = None) -> None:
        self.is_unknown = is_unknown
        self.renames = {norm(k): v for k, v in (renames or {}).items()}

    def like(self, value: Any, shape: Any, api: str, src: str, origins: Origins) -> Any:
        origins[api] = src
        if value is None or self.is_unknown(value):
            return value
        kind = shape.type_name
        if kind == "structure":
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
                value, src = value[0], f"{src}[0]"  # a Terraform block list of one, an API structure
            # Anything else is left as it is, for the validator to name its type.
            return self._structure(value, shape, api, src, origins) if isinstance(value, dict) else value
        if kind == "list":
            return self._list(value, shape, api, src, origins)
        if kind == "map":
            return self._map(value, shape, api, src, origins)
        return scalar(value, kind)

    def _structure(self, value: dict, shape: Any, api: str, src: str, origins: Origins) -> dict:
        by_norm = {norm(m): m for m in shape.members}
        out: dict[str, Any] = {}
        for key, item in value.items():
            member = self.renames.get(norm(key)) or by_norm.get(norm(key))
            if member is None or member not in shape.members:
                continue
            out[member] = self.like(item, shape.members[member], join(api, member), join(src, key), origins)
        return out

    def _list(self, value: Any, shape: Any, api: str, src: str, origins: Origins) -> Any:
        member = shape.member
        if isinstance(value, dict) and member.type_name == "structure" and not _looks_like(value, member):
            pairs = tag_pairs(member)
            if pairs:  # a tags map, as the API's list of {Key, Value}
                key, val = pairs
                out = []
                for i, (k, v) in enumerate(value.items()):
                    origins[f"{api}[{i}].{key}"] = f"{src} key {k!r}"
                    origins[f"{api}[{i}].{val}"] = f"{src}[{k!r}]"
                    out.append({key: k, val: scalar(v, member.members[val].type_name)})
                return out
        if not isinstance(value, list):
            value = [value]  # Terraform's single-item blocks and scalars the API wants as a list
            return [self.like(value[0], member, f"{api}[0]", src, origins)]
        return [self.like(item, member, f"{api}[{i}]", f"{src}[{i}]", origins) for i, item in enumerate(value)]

    def _map(self, value: Any, shape: Any, api: str, src: str, origins: Origins) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for k, v in value.items():
            out[k] = self.like(v, shape.value, f"{api}[{k!r}]", f"{src}[{k!r}]", origins)
        return out


def tag_pairs(shape: Any) -> Optional[tuple[str, str]]:
    """(key member, value member) of a Tag-like structure: ``Key``/``Value`` or ``TagKey``/``TagValue``, any case."""
    names = {m.lower(): m for m in shape.members}
    for key, value in (("key", "value"), ("tagkey", "tagvalue")):
        if key in names and value in names:
            return names[key], names[value]
    return None


def _looks_like(value: dict, shape: Any) -> bool:
    """True when ``value`` is already one item of ``shape`` (its keys are the members' names)."""
    members = {norm(m) for m in shape.members}
    return bool(value) and all(norm(k) in members for k in value)


def scalar(value: Any, kind: str) -> Any:
    """The value as the API type wants it, when the provider would convert it (Terraform strings)."""
    if kind == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind in ("integer", "long") and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    if kind in ("double", "float") and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "string" and isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def get_path(inputs: Mapping[str, Any], path: str) -> Any:
    """``inputs["a"]["b"]`` for ``"a.b"``; a one-item list on the way is stepped into."""
    value: Any = inputs
    for part in path.split("."):
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


__all__ = ["Converter", "Origins", "get_path", "join", "norm", "parse_json", "scalar", "tag_pairs"]
