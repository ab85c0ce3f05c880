"""Fixtures shared by the whole suite: the repo root, captured stacks, the price table
and the cost tests' fleet program (used by the cost model's tests and the CLI's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iot_tiers.offline.harness import Capture, run_stack
from iot_tiers_policy.cost import PriceTable, load_prices
from support import REPO_ROOT as REPO, TEST_CERTIFICATE_CONFIG

#: A team-style program with every tier, for stack 'test' (1,000 devices, a reading a
#: minute, 1% alerts); other stack files in its folder hold traffic keys to test.
FLEET = REPO / "tests" / "policy" / "cost" / "programs" / "fleet"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def dev_stack() -> Capture:
    """The repo's dev stack, run once per session under the capturing mocks."""
    return run_stack(REPO, "dev")


@pytest.fixture(scope="session")
def prod_stack() -> Capture:
    """The repo's prod stack, with the test certificate (its stack file carries none)."""
    return run_stack(REPO, "prod", extra_config=TEST_CERTIFICATE_CONFIG)


@pytest.fixture(scope="session")
def prices() -> PriceTable:
    return load_prices()


@pytest.fixture(scope="session")
def fleet_dir() -> Path:
    return FLEET


@pytest.fixture(scope="session")
def fleet() -> Capture:
    return run_stack(FLEET, "test")
