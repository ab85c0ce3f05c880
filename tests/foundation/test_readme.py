"""The README's generated tables are the code's current output."""

from __future__ import annotations

from pathlib import Path

from iot_tiers.seed_table import render_markdown as render_seed_table

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _between(start: str, end: str) -> str:
    return README.split(start, 1)[1].split(end, 1)[0].strip()


def test_seed_cost_table_in_readme_is_what_the_cost_model_computes():
    assert _between("<!-- seed-table:start -->", "<!-- seed-table:end -->") == render_seed_table().strip(), \
        "regenerate with: python -m iot_tiers.seed_table"


def test_readme_states_both_fresh_machine_commands():
    assert "bash scripts/setup.sh && .venv/bin/tiers preview --stack dev && .venv/bin/tiers local --duration 20" in README
    assert "bash scripts/test.sh" in README


def test_ci_runs_the_readmes_test_command():
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci


def test_policy_table_in_readme_is_the_packs_current_policies_and_levels():
    from iot_tiers.policy_table import render_markdown

    assert _between("<!-- policy-table:start -->", "<!-- policy-table:end -->") == render_markdown().strip(), \
        "regenerate with: python -m iot_tiers.policy_table"


def test_bridge_environment_table_in_readme_is_the_bridges_own():
    from runtime.bridge.config import env_table_markdown

    assert _between("<!-- bridge-env:start -->", "<!-- bridge-env:end -->") == env_table_markdown().strip(), \
        "regenerate with: python -m runtime.bridge --env-table"
