"""Correctly configured programs, in different styles, get no security finding at all (issue 14, no false alarms).

Each program under clean/ runs under the capturing harness and the pack runs over it in its
own process with the production policy config (the strictest): not one security-* violation,
at any level, may come back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iot_tiers.offline.preflight import run_preview

from .conftest import PACK

CLEAN = Path(__file__).resolve().parent / "clean"
PROGRAMS = sorted(p.name for p in CLEAN.iterdir() if (p / "Pulumi.yaml").exists())


def test_there_are_at_least_ten_clean_programs():
    assert len(PROGRAMS) >= 10


@pytest.mark.parametrize("program", PROGRAMS)
def test_clean_program_gets_no_security_finding_under_the_prod_config(program):
    result = run_preview(CLEAN / program, "dev", pack_dir=PACK, policy_config=PACK / "config" / "prod.json")
    assert len(result.capture.resources) >= 3
    findings = [f"{v.policy} [{v.level}] {v.urn.rsplit('::', 1)[-1]}: {v.message.splitlines()[-1]}"
                for v in result.violations if v.policy.startswith("security-")]
    assert findings == []
