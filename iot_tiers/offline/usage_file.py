"""The usage file of ``tiers cost``: read it (``--usage-file``) and scaffold it (``--sync-usage``).

The file is YAML in the shape of Infracost's ``infracost-usage.yml`` (see
:mod:`iot_tiers_policy.cost.usage`), keyed by Pulumi resource names and type tokens.
Syncing it, like ``infracost --sync-usage-file``:

1. keeps every value the file already gives, and every wildcard and per-type entry;
2. adds every resource of the stack whose pricer reads usage, with each key it reads
   commented out and set to the value the model uses today (so uncommenting a line
   changes nothing until the value is edited);
3. drops the entries (exact names) of resources no longer in the stack, and says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

import yaml

from iot_tiers_policy.cost import Estimate, Usage, UsageError
from iot_tiers_policy.cost.registry import load
from iot_tiers_policy.cost.usage import SECTIONS, USAGE_VERSION

HEADER = """\
# Usage for `tiers cost --usage-file {name}`: what each resource is used for, where the
# stack-wide traffic keys (iot-tiers:traffic* in Pulumi.<stack>.yaml) do not say it.
# A commented-out key shows the value the cost model uses today; uncomment and edit it.
# resource_usage is keyed by Pulumi resource name (* and ? are wildcards);
# resource_type_default_usage by type token, for every resource of that type.
# Regenerate with `tiers cost --stack <stack> --sync-usage {name}` (values given here are kept).
"""


def read_usage(path: Union[str, Path]) -> Usage:
    """The usage file at ``path``; :class:`UsageError` naming the file for a missing or malformed one."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise UsageError(f"usage file {path} does not exist (tiers cost --sync-usage {path} writes one)") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"usage file {path} is not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"usage file {path}: expected a mapping with version and {', '.join(SECTIONS)}")
    return Usage(doc, str(path))


def _value(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "0"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.6g}"
    return str(v)


def sync_usage(path: Union[str, Path], est: Estimate, existing: Optional[Usage] = None) -> tuple[str, list[str]]:
    """Write the synced usage file for ``est`` to ``path``; returns (its text, the entries dropped)."""
    path = Path(path)
    existing = existing or Usage()
    registry = load()
    names = {r.name for r in est.resources}
    dropped = sorted(n for n in existing.exact if n not in names)
    lines = [HEADER.format(name=path.name).rstrip("\n"), f"version: {USAGE_VERSION}"]
    if existing.by_type:
        lines.append(yaml.safe_dump({"resource_type_default_usage": existing.by_type}, sort_keys=False).rstrip())
    else:
        lines.append("resource_type_default_usage: {}")
    lines.append("resource_usage:")
    for pattern, values in existing.patterns:
        lines.append(f"  {_quote(pattern)}:  # wildcard, kept")
        lines += [f"    {k}: {_value(v)}" for k, v in values.items()] or ["    {}"]
    written = 0
    for r in est.resources:
        p = registry.get(r.type)
        if p is None or not p.usage:
            continue
        given = existing.exact.get(r.name, {})
        lines.append(f"  {_quote(r.name)}:  # {r.type}")
        for key, spec in p.usage.items():
            if key in given:
                lines.append(f"    {key}: {_value(given[key])}  # {spec.description}")
            else:
                seen = r.usage_seen.get(key)
                if spec.kind == "choice":
                    value = seen if seen in spec.choices else spec.choices[0]
                    lines.append(f"    # {key}: {value}  # {spec.description} One of: {', '.join(spec.choices)}.")
                else:
                    lines.append(f"    # {key}: {_value(seen)}  # {spec.description}")
        written += 1
    if not written and not existing.patterns:
        lines[-1] = "resource_usage: {}"
    text = "\n".join(lines) + "\n"
    Usage(yaml.safe_load(text) or {}, str(path))  # what we write must read back
    path.write_text(text)
    return text, dropped


def _quote(name: str) -> str:
    return name if name.replace("-", "").replace("_", "").replace(".", "").isalnum() else f'"{name}"'
