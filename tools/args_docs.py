"""The docstrings of the tiers' table-backed arguments, generated from the settings table.

Every argument a stack file can also set (``memory_mb`` <-> ``iot-tiers:processingMemoryMb``)
has one source: its :class:`~iot_tiers.components.config.schema.Setting` row, which holds
its description, what is allowed, the check and the default. The ``*Inputs`` TypedDicts
of the tiers document those arguments with text generated from the rows, so the docs an
IDE shows cannot drift from the defaults and checks the tier applies.

``python -m tools.args_docs check`` lists the docstrings that differ from the table;
``... update`` rewrites them in place. A test runs the check.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from iot_tiers.components.config import table
from iot_tiers.components.config.heavy import ROLE_SETTINGS, SHARED
from iot_tiers.components.config.schema import Setting

REPO = Path(__file__).resolve().parents[1]
WIDTH = 104


@dataclass(frozen=True)
class Target:
    """One TypedDict whose table-backed keys get generated docstrings."""

    path: str
    cls: str
    #: argument name -> the text of its docstring
    docs: Callable[[], dict[str, str]]


def _render(value: Any) -> str:
    if isinstance(value, str):
        return f'``"{value}"``'
    if isinstance(value, list):
        return "``[" + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in value) + "]``"
    return f"``{value!r}``"


def _config_keys_to_args(text: str, rows: Sequence[Setting]) -> str:
    """Descriptions are written for stack files; in Python docs, name the arguments."""
    for s in sorted(rows, key=lambda r: -len(r.key)):
        text = re.sub(rf"\b{re.escape(s.key)}\b", s.arg, text)
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", ")")) else text + "."


def setting_doc(s: Setting, rows: Sequence[Setting]) -> str:
    allowed = f" Allowed: {s.allowed}." if s.allowed else ""
    return (f"{_sentence(_config_keys_to_args(s.description, rows))}{allowed} Default: {_render(s.default)}. "
            f"Stack config: ``{s.full_key}``.")


def tier_docs(name: str) -> Callable[[], dict[str, str]]:
    def docs() -> dict[str, str]:
        rows = table(name).settings
        return {s.arg: setting_doc(s, rows) for s in rows}
    return docs


def heavy_docs() -> dict[str, str]:
    """Shared rows as they are; per-role rows once, with each role's default and config key."""
    shared = [s for s in SHARED if s.arg != "roles"]
    out = {s.arg: setting_doc(s, shared) for s in shared}
    args: dict[str, list[tuple[str, Setting]]] = {}
    for role, rows in ROLE_SETTINGS.items():
        for s in rows:
            args.setdefault(s.arg, []).append((role, s))
    for arg, per_role in args.items():
        # One text for every role, with the role's name generalised; roles whose text
        # or allowed values differ (stateful vs stateless) each get theirs.
        texts: dict[str, list[str]] = {}
        for role, s in per_role:
            text = _config_keys_to_args(s.description, ROLE_SETTINGS[role])
            for pattern, repl in ((rf"\bthe {role} role's\b", "this role's"), (rf"\bthe {role} role\b", "this role"),
                                  (rf"\beach {role} instance\b", "each instance of this role"),
                                  (rf"\bthe {role} ASG\b", "this role's ASG")):
                text = re.sub(pattern, repl, text)
            allowed = f" Allowed: {s.allowed}." if s.allowed else ""
            texts.setdefault(_sentence(text) + allowed, []).append(role)
        if len(texts) == 1:
            description = next(iter(texts))
        else:
            description = " ".join(f"{', '.join(roles).capitalize()}: {text}" for text, roles in texts.items())
        roles = [r for r, _ in per_role]
        applies = "" if len(roles) == len(ROLE_SETTINGS) else f" Applies to: {', '.join(roles)}."
        defaults = {_render(s.default) for _, s in per_role}
        if len(defaults) == 1:
            default = f"Default: {defaults.pop()}."
        else:
            default = "Default: " + ", ".join(f"{r} {_render(s.default)}" for r, s in per_role) + "."
        keys = ", ".join(f"``{s.full_key}``" for _, s in per_role)
        out[arg] = f"{description}{applies} {default} Stack config: {keys}."
    return out


TARGETS = [
    Target("components/processing.py", "ProcessingTierInputs", tier_docs("processing")),
    Target("components/realtime.py", "RealtimeTierInputs", tier_docs("realtime")),
    Target("components/network.py", "NetworkInputs", tier_docs("network")),
    Target("components/heavy.py", "HeavyComputeTierInputs", heavy_docs),
]


def _docstring_block(text: str, indent: str) -> list[str]:
    lines = textwrap.wrap(text, width=WIDTH - len(indent) - 3, break_on_hyphens=False)
    lines[0] = '"""' + lines[0]
    lines[-1] = lines[-1] + '"""'
    return [indent + line for line in lines]


def rewrite(source: str, target: Target) -> tuple[str, list[str]]:
    """``source`` with ``target``'s table-backed docstrings regenerated, and the keys that changed."""
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == target.cls)
    docs = target.docs()
    lines = source.splitlines()
    edits: list[tuple[int, int, list[str]]] = []
    changed: list[str] = []
    body = cls.body
    for i, node in enumerate(body):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        key = node.target.id
        if key not in docs:
            continue
        indent = " " * node.col_offset
        new = _docstring_block(docs[key], indent)
        nxt = body[i + 1] if i + 1 < len(body) else None
        if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str):
            start, end = nxt.lineno - 1, nxt.end_lineno
        else:
            start = end = node.end_lineno
        if lines[start:end] != new:
            changed.append(key)
            edits.append((start, end, new))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    missing = [k for k in docs if k not in {n.target.id for n in body
                                             if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}]
    if missing:
        raise SystemExit(f"{target.path}:{target.cls} lacks table arguments: {', '.join(missing)}")
    return "\n".join(lines) + "\n", changed


def main(argv: Sequence[str]) -> int:
    what = argv[1] if len(argv) > 1 else "check"
    if what not in ("check", "update"):
        print("usage: python -m tools.args_docs [check|update]", file=sys.stderr)
        return 2
    stale = []
    for target in TARGETS:
        path = REPO / target.path
        text, changed = rewrite(path.read_text(), target)
        if changed:
            stale += [f"{target.path}:{target.cls}.{k}" for k in changed]
            if what == "update":
                path.write_text(text)
    if stale and what == "check":
        print("stale argument docs (python -m tools.args_docs update):\n  " + "\n  ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
