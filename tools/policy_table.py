"""The README's policy table, generated from the pack and its per-environment configs.

``python -m tools.policy_table`` prints it; a test keeps the README's copy current,
so the policy count and levels quoted there are always the pack's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PACK_DIR = Path(__file__).resolve().parent.parent / "policies"
ENVIRONMENTS = ("dev", "prod")


def _level(policy: Any, config: dict[str, Any]) -> str:
    entry = config.get(policy.name, config.get("all"))
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and "enforcementLevel" in entry:
        return entry["enforcementLevel"]
    # The pack's default level (set in policies/__main__.py) is mandatory.
    return policy.enforcement_level.value if policy.enforcement_level else "mandatory"


def render_markdown() -> str:
    from iot_tiers_policy import pack_policies

    policies = pack_policies()
    configs = {env: json.loads((PACK_DIR / "config" / f"{env}.json").read_text()) for env in ENVIRONMENTS}
    counts: dict[str, int] = {}
    for p in policies:
        concern = p.name.split("-", 1)[0]
        counts[concern] = counts.get(concern, 0) + 1
    head = f"{len(policies)} policies: " + ", ".join(f"{n} {c}" for c, n in counts.items()) + "."
    rows = [head, "", "| policy | severity | what it checks | dev | prod |", "|---|---|---|---|---|"]
    for p in policies:
        desc = " ".join(str(p.description).split()).replace("|", "\\|")
        sev = p.severity.value if p.severity else ""
        rows.append(f"| `{p.name}` | {sev} | {desc} | {_level(p, configs['dev'])} | {_level(p, configs['prod'])} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(render_markdown())
    sys.exit(0)
