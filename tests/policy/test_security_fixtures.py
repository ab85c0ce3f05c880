"""Every security policy passes its passing fixture and fires on its failing one, through the analyzer protocol."""

from __future__ import annotations

import pytest

from iot_tiers.offline.analyzer import Diagnostic

from .conftest import Pack, res
from .security_fixtures import FIXTURES, R


def resources(fixture: list[R]):
    types = {r.name: r.type for r in fixture}
    return [res(r.type, r.name, r.props, deps={k: [(types[n], n) for n in v] for k, v in r.deps.items()})
            for r in fixture]


def findings(pack: Pack, fixture: list[R], policy: str) -> list[Diagnostic]:
    """What the pack reports for ``policy`` on a fixture: Analyze for each resource, then AnalyzeStack."""
    built = resources(fixture)
    diags = [d for r in built for d in pack.analyze(r)] + pack.analyze_stack(built)
    return [d for d in diags if d.policy == policy]


@pytest.mark.parametrize("policy", sorted(FIXTURES))
def test_policy_passes_its_passing_fixture(default_config, policy):
    assert findings(default_config, FIXTURES[policy].passing, policy) == []


@pytest.mark.parametrize("policy", sorted(FIXTURES))
def test_policy_fires_on_its_failing_fixture_at_its_level(default_config, policy):
    found = findings(default_config, FIXTURES[policy].failing, policy)
    assert found, f"{policy} did not fire on its failing fixture"
    assert all("can't run policy" not in d.message for d in found), found
    expected = default_config.info.policy(policy).level
    assert {d.level for d in found} == {expected}


def test_every_security_policy_has_a_passing_and_a_failing_fixture(pack):
    security = {p.name for p in pack.info.policies if p.name.startswith("security-")}
    assert security - set(FIXTURES) == set(), "add fixtures to tests/policy/security_fixtures.py"
    assert set(FIXTURES) - security == set(), "fixtures for policies the pack no longer has"
