"""The peer rules (checkov, awsguard) each policy matches, from peer_rules.json, for its description."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def peer_rules() -> dict:
    return json.loads((files(__package__) / "peer_rules.json").read_text())


def matched(policy: str) -> dict[str, list[str]]:
    """``{peer: [rule ids]}`` of the peer rules mapped to ``policy``."""
    out: dict[str, list[str]] = {}
    for peer in ("checkov", "awsguard"):
        ids = [rule for rule, entry in peer_rules()[peer]["rules"].items() if entry.get("policy") == policy]
        if ids:
            out[peer] = ids
    return out


def cite(policy: str, description: str) -> str:
    """``description`` followed by the peer rule ids the policy matches, if any."""
    peers = matched(policy)
    if not peers:
        return description
    cited = "; ".join(f"{peer} {', '.join(ids)}" for peer, ids in peers.items())
    return f"{description} Matches {cited}."
