"""Per-resource usage: what a resource is used for when the stack-wide traffic keys do not say.

The shape follows Infracost's usage file (``infracost-usage.yml``), read as a mapping
(``tiers cost --usage-file`` parses the YAML)::

    version: 0.1
    resource_type_default_usage:          # every resource of a type
      aws:s3/bucket:Bucket:
        storage_gb: 50
    resource_usage:                       # one resource by its Pulumi name; * and ? are wildcards
      realtime-access-logs:
        storage_gb: 400
      heavy-*-snapshots:
        daily_change_percent: 5

A resource's usage is its type's defaults, overlaid by every wildcard entry that
matches its name (the less specific first: fewer literal characters), overlaid by
the entry with its exact name. Anything not given falls back on what the traffic
keys imply. The keys each type accepts are its pricer's (``tiers cost --sync-usage
FILE`` writes them all, with the values the model would use).

Pure Python: this module ships inside the published policy pack.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .._util import is_unknown
from ..graph import Node

USAGE_VERSION = "0.1"
SECTIONS = ("resource_type_default_usage", "resource_usage")


class UsageError(ValueError):
    """A usage file that is malformed, or gives a key a resource type does not take."""


@dataclass(frozen=True)
class UsageKey:
    """One usage key a pricer reads: its name, what it means, and its kind."""

    key: str
    description: str
    kind: str = "number"  # "number" | "choice"
    choices: tuple = ()

    def parse(self, raw: Any, where: str) -> Any:
        if self.kind == "choice":
            if raw not in self.choices:
                raise UsageError(f"{where}.{self.key}={raw!r}: allowed values are {', '.join(self.choices)}")
            return raw
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0:
            raise UsageError(f"{where}.{self.key}={raw!r}: expected a number >= 0")
        return raw


class Usage:
    """A usage document, checked, and the lookups the pricers make of it."""

    def __init__(self, doc: Optional[Mapping[str, Any]] = None, origin: Optional[str] = None) -> None:
        self.origin = origin
        doc = dict(doc or {})
        unknown = set(doc) - set(SECTIONS) - {"version"}
        if unknown:
            raise UsageError(f"{origin or 'usage'}: unknown section(s) {', '.join(sorted(unknown))}; "
                             f"a usage file has version, {', '.join(SECTIONS)}")
        version = str(doc.get("version", USAGE_VERSION))
        if version != USAGE_VERSION:
            raise UsageError(f"{origin or 'usage'}: version {version!r}: this tool reads version {USAGE_VERSION}")
        self.by_type: dict[str, dict[str, Any]] = self._section(doc, "resource_type_default_usage")
        entries = self._section(doc, "resource_usage")
        self.exact = {k: v for k, v in entries.items() if not _is_pattern(k)}
        # least specific first, so more specific patterns overwrite
        self.patterns = sorted(((k, v) for k, v in entries.items() if _is_pattern(k)), key=lambda kv: _literal(kv[0]))
        self.matched: set[str] = set()

    def _section(self, doc: Mapping[str, Any], name: str) -> dict[str, dict[str, Any]]:
        section = doc.get(name) or {}
        if not isinstance(section, Mapping):
            raise UsageError(f"{self.origin or 'usage'}: {name} must be a mapping of name -> usage keys")
        out = {}
        for k, v in section.items():
            if v is None:
                v = {}
            if not isinstance(v, Mapping):
                raise UsageError(f"{self.origin or 'usage'}: {name}.{k} must be a mapping of usage key -> value")
            out[str(k)] = dict(v)
        return out

    def __bool__(self) -> bool:
        return bool(self.by_type or self.exact or self.patterns)

    def for_node(self, node: Node) -> dict[str, Any]:
        """The usage given for ``node`` (type defaults < wildcards < its exact name)."""
        out = dict(self.by_type.get(node.type, {}))
        for pattern, values in self.patterns:
            if fnmatch.fnmatchcase(node.name, pattern):
                self.matched.add(pattern)
                out.update(values)
        if node.name in self.exact:
            self.matched.add(node.name)
            out.update(self.exact[node.name])
        return out

    def check(self, node: Node, schema: Mapping[str, UsageKey]) -> dict[str, Any]:
        """``node``'s usage, every key checked against ``schema`` (its pricer's keys)."""
        given = self.for_node(node)
        out = {}
        for key, raw in given.items():
            spec = schema.get(key)
            if spec is None:
                near = difflib.get_close_matches(key, list(schema), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                allowed = ", ".join(schema) or "none"
                raise UsageError(f"usage for {node.name} ({node.type}): unknown key {key!r}{hint}; "
                                 f"this type takes: {allowed}")
            out[key] = spec.parse(raw, f"usage for {node.name}")
        return out

    def number(self, node: Node, key: str, default: float) -> float:
        """A number from ``node``'s usage, or ``default`` (used before pricing, without a schema check)."""
        v = self.for_node(node).get(key)
        if v is None or isinstance(v, bool) or not isinstance(v, (int, float)) or is_unknown(v):
            return default
        return float(v)

    def unmatched(self) -> list[str]:
        """Entries of ``resource_usage`` that matched no resource (a typo, or a resource since removed)."""
        return sorted((set(self.exact) | {p for p, _ in self.patterns}) - self.matched)


def _is_pattern(key: str) -> bool:
    return any(c in key for c in "*?[")


def _literal(pattern: str) -> int:
    return sum(1 for c in pattern if c not in "*?[]")
