"""Fixtures shared by the whole suite: the repo root and captured stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from iot_tiers.harness import Capture, run_stack

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def dev_stack() -> Capture:
    """The repo's dev stack, run once per session under the capturing mocks."""
    return run_stack(REPO, "dev")


@pytest.fixture(scope="session")
def prod_stack() -> Capture:
    return run_stack(REPO, "prod")
