"""Render the settings table as Pulumi.yaml's ``config:`` block or as docs/configuration.md's table.

``python -m tools.config_docs yaml`` prints the block; ``... markdown`` the
table; ``... update`` rewrites both in Pulumi.yaml and docs/configuration.md. Tests compare both with the checked-in files, so the docs cannot drift
from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from iot_tiers.components.config import TABLES
from iot_tiers.components.config.schema import Setting


def config_block() -> dict:
    block = {}
    for t in TABLES:
        for s in t.settings:
            entry = {"type": s.kind, "description": s.description}
            if s.kind == "array":
                entry["items"] = {"type": "string"}
            if s.default is not None and not s.secret:
                entry["default"] = s.default
            block[s.key] = entry
    return block


def config_yaml() -> str:
    return yaml.safe_dump({"config": config_block()}, sort_keys=False, width=100)


def _default_text(s: Setting) -> str:
    if s.default is None:
        return "(none)"
    if isinstance(s.default, bool):
        return "true" if s.default else "false"
    if s.default == "":
        return '""'
    return str(s.default) if not isinstance(s.default, list) else ", ".join(map(str, s.default)) or "[]"


def markdown_table() -> str:
    rows = ["| key | type | default | allowed | description |", "|---|---|---|---|---|"]
    for t in TABLES:
        for s in t.settings:
            desc = s.description.replace("|", "\\|")
            allowed = (s.allowed or "any").replace("|", "\\|")
            rows.append(f"| `{s.full_key}` | {s.kind} | `{_default_text(s)}` | {allowed} | {desc} |")
    return "\n".join(rows)


START, END = "<!-- config-table:start -->", "<!-- config-table:end -->"


def update_file(path: Path) -> None:
    """Rewrite the generated part of Pulumi.yaml (its config block) or docs/configuration.md (its table)."""
    text = path.read_text()
    if path.name == "Pulumi.yaml":
        head = text.split("\nconfig:\n", 1)[0]
        path.write_text(head + "\n" + config_yaml())
        return
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{markdown_table()}\n{END}{after}")


def main(argv: list[str]) -> int:
    what = argv[1] if len(argv) > 1 else "yaml"
    if what == "yaml":
        sys.stdout.write(config_yaml())
    elif what == "markdown":
        print(markdown_table())
    elif what == "update":
        root = Path(__file__).resolve().parents[1]
        update_file(root / "Pulumi.yaml")
        update_file(root / "docs" / "configuration.md")
    else:
        print("usage: python -m tools.config_docs [yaml|markdown|update]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
