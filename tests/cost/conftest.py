"""Fixtures of the cost tests: the price table and the fleet test program, captured once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# pytest puts tests/ on sys.path (for tests/conftest.py), where tests/components/ (a plain
# directory of tests) would shadow the repo's components package as a namespace package.
# The repo's packages must win, as they do for `pulumi preview` run from the repo root.
if str(REPO) not in sys.path[:1]:
    sys.path.insert(0, str(REPO))
if getattr(sys.modules.get("components"), "__file__", "") is None:
    del sys.modules["components"]

from iot_tiers.harness import Capture, run_stack
from policies.iot_tiers_policy.cost import PriceTable, load_prices

FLEET = Path(__file__).resolve().parent / "programs" / "fleet"


@pytest.fixture(scope="session")
def prices() -> PriceTable:
    return load_prices()


@pytest.fixture(scope="session")
def fleet_dir() -> Path:
    return FLEET


@pytest.fixture(scope="session")
def fleet() -> Capture:
    """tests/cost/programs/fleet for stack 'test' (1,000 devices, a reading a minute, 1% alerts)."""
    return run_stack(FLEET, "test")
