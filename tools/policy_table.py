"""The policy reference in docs/policies.md, generated from the pack, its configs, peer_rules.json and the fixtures.

``python -m tools.policy_table`` prints it, ``... update`` rewrites it between the markers; a test in
tests/test_docs.py keeps the copy in docs/ current, so every count, level, peer rule and
fixture quoted there is the pack's.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "policies"
FIXTURES = ROOT / "tests" / "policy" / "security_fixtures.py"
ENVIRONMENTS = ("dev", "prod")


def _level(policy: Any, config: dict[str, Any]) -> str:
    entry = config.get(policy.name, config.get("all"))
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and "enforcementLevel" in entry:
        return entry["enforcementLevel"]
    # The policy's own level (the pack's default, set in policies/__main__.py, is mandatory).
    return policy.enforcement_level.value if policy.enforcement_level else "mandatory"


def _fixtures() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("security_fixtures", FIXTURES)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module.FIXTURES


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _short(typ: str) -> str:
    try:
        _pkg, mod, kind = typ.split(":")
        return f"{mod.split('/')[0]}.{kind}"
    except ValueError:
        return typ


def _resources(fixture: list[Any]) -> str:
    return ", ".join(f"{_short(r.type)} `{r.name}`" for r in fixture)


def render_markdown() -> str:
    from iot_tiers_policy import pack_policies
    from iot_tiers_policy._peers import matched, peer_rules

    policies = pack_policies()
    configs = {env: json.loads((PACK_DIR / "config" / f"{env}.json").read_text()) for env in ENVIRONMENTS}
    fixtures = _fixtures()
    rules = peer_rules()
    counts: dict[str, int] = {}
    for p in policies:
        counts[p.name.split("-", 1)[0]] = counts.get(p.name.split("-", 1)[0], 0) + 1
    out = [f"{len(policies)} policies: " + ", ".join(f"{n} {c}" for c, n in counts.items()) + ".", "",
           "| policy | concern | severity | dev | prod | peer rules it matches |", "|---|---|---|---|---|---|"]
    for p in policies:
        peers = "; ".join(f"{peer} {', '.join(ids)}" for peer, ids in matched(p.name).items()) or "—"
        out.append(f"| [`{p.name}`](#{p.name}) | {p.name.split('-', 1)[0]} | {p.severity.value if p.severity else ''} | "
                   f"{_level(p, configs['dev'])} | {_level(p, configs['prod'])} | {peers} |")
    out += ["", "### Policies", ""]
    for p in policies:
        description = re.sub(r" Matches [^.]*\.$", "", " ".join(str(p.description).split()))
        out += [f"#### `{p.name}`", "", description, ""]
        out.append(f"- concern: {p.name.split('-', 1)[0]}; severity: {p.severity.value if p.severity else '—'}; "
                   f"dev: {_level(p, configs['dev'])}; prod: {_level(p, configs['prod'])}")
        if p.remediation_steps:
            out.append(f"- remediation: {_cell(p.remediation_steps)}")
        for peer, ids in matched(p.name).items():
            out.append(f"- {peer}: " + "; ".join(f"{i} ({_cell(rules[peer]['rules'][i]['title'])})" for i in ids))
        if p.name in fixtures:
            out.append(f"- passing fixture: {_resources(fixtures[p.name].passing)}")
            out.append(f"- failing fixture: {_resources(fixtures[p.name].failing)}")
            out.append(f"  ([tests/policy/security_fixtures.py](../tests/policy/security_fixtures.py))")
        out.append("")
    out += ["### Peer rules the pack declines", "",
            "Relevant peer rules (see [peer parity](#peer-parity)) the pack deliberately does not adopt, and why.", "",
            "| peer | rule | what it checks | why not |", "|---|---|---|---|"]
    for peer in ("checkov", "awsguard"):
        for rule, entry in rules[peer]["rules"].items():
            if entry.get("declined"):
                out.append(f"| {peer} | {rule} | {_cell(entry['title'])} | {_cell(entry['declined'])} |")
    return "\n".join(out).rstrip()


START, END = "<!-- policy-table:start -->", "<!-- policy-table:end -->"
DOC = ROOT / "docs" / "policies.md"


def update() -> None:
    """Rewrite the generated part of docs/policies.md."""
    text = DOC.read_text()
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{render_markdown().strip()}\n{END}{after}")


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
    else:
        print(render_markdown())
    sys.exit(0)
