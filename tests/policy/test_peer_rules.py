"""peer_rules.json against the pack, its fixtures and the peers themselves (installed by scripts/setup.sh).

The heavy comparison is ``python -m tools.peer_parity``; here it runs without the repo's
stacks, once per session, and each peer rule is its own test.
"""

from __future__ import annotations

import json

import pytest

from tools.peer_parity.__main__ import THRESHOLD, run
from tools.peer_parity.compare import RULES_FILE

from .security_fixtures import FIXTURES

RULES = json.loads(RULES_FILE.read_text())
ENTRIES = [(peer, rule, entry) for peer in ("checkov", "awsguard") for rule, entry in RULES[peer]["rules"].items()]


@pytest.fixture(scope="module")
def report():
    return run(with_stacks=False)


@pytest.mark.parametrize("peer,rule,entry", ENTRIES, ids=[f"{p}-{r}" for p, r, _ in ENTRIES])
def test_peer_rule_maps_to_a_pack_policy_with_fixtures_or_says_why_not(pack, peer, rule, entry):
    assert ("policy" in entry) != ("declined" in entry), f"{rule}: exactly one of policy / declined"
    if "declined" in entry:
        assert len(entry["declined"]) > 40, f"{rule}: say why the pack declines it"
    else:
        assert pack.info.policy(entry["policy"]) is not None, f"{rule} maps to unknown policy {entry['policy']}"
        assert entry["policy"] in FIXTURES


@pytest.mark.parametrize("peer,rule,entry", [e for e in ENTRIES if "policy" in e[2]],
                         ids=[f"{p}-{r}" for p, r, e in ENTRIES if "policy" in e])
def test_mapped_peer_rule_and_its_policy_both_fire_on_the_policys_failing_fixture(report, peer, rule, entry):
    [v] = [v for v in report["verdicts"] if v["peer"] == peer and v["rule"] == rule]
    assert v["pack_fired"], f"{entry['policy']} did not fire on its failing fixture"
    if entry.get("peerDefect"):
        assert not v["peer_fired"], f"{peer} {rule} fires now: drop its peerDefect note"
    else:
        assert v["peer_fired"], f"{peer} {rule} did not fail on the failing fixture of {entry['policy']}"


def test_relevant_checkov_checks_of_the_installed_registry_are_all_listed(report):
    listed = set(RULES["checkov"]["rules"])
    seen = {v["rule"] for v in report["verdicts"] if v["peer"] == "checkov"}
    assert seen == listed, f"checkov checks not in peer_rules.json: {sorted(seen - listed)}"
    assert report["relevantCheckov"] == len(listed)


def test_awsguard_policies_listed_are_the_running_packs(report):
    assert set(RULES["awsguard"]["rules"]) <= set(report["awsguardPolicies"])


@pytest.mark.parametrize("peer", ["checkov", "awsguard"])
def test_at_least_90_percent_of_each_peers_relevant_rules_are_covered_or_declined(report, peer):
    verdicts = [v for v in report["verdicts"] if v["peer"] == peer]
    done = [v for v in verdicts if v["status"] in ("covered", "declined")]
    assert len(done) / len(verdicts) >= THRESHOLD
