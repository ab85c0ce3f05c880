"""Fixtures of the cost tests: the price table and the fleet test program, captured once."""

from __future__ import annotations

from pathlib import Path

import pytest

from iot_tiers.harness import Capture, run_stack
from policies.iot_tiers_policy.cost import PriceTable, load_prices

REPO = Path(__file__).resolve().parents[2]

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
