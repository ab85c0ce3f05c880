"""The README is short and true; the generated sections of docs/ are the code's current output."""

from __future__ import annotations

import re

from iot_tiers.offline.seed_table import render_markdown as render_seed_table
from support import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def _doc(name: str) -> str:
    return (REPO_ROOT / "docs" / name).read_text()


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def test_readme_states_both_fresh_machine_commands():
    assert "bash scripts/setup.sh && .venv/bin/tiers preview --stack dev && .venv/bin/tiers local --duration 20" in README
    assert "bash scripts/test.sh" in README


def test_ci_runs_the_readmes_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci


def test_readme_stays_short_and_every_page_it_links_exists():
    assert len(README.splitlines()) <= 200
    links = re.findall(r"\]\((docs/[^)#]+)\)", README)
    assert links, "the README links the reference pages"
    missing = [link for link in links if not (REPO_ROOT / link).exists()]
    assert not missing


def test_every_docs_page_is_linked_from_the_readme():
    pages = {f"docs/{p.name}" for p in (REPO_ROOT / "docs").glob("*.md")}
    assert pages <= set(re.findall(r"\]\((docs/[^)#]+)\)", README))


def test_seed_cost_table_in_the_cost_page_is_what_the_cost_model_computes():
    assert _between(_doc("cost.md"), "<!-- seed-table:start -->", "<!-- seed-table:end -->") \
        == render_seed_table().strip(), "regenerate with: tiers cost --seed-table"


def test_policy_table_is_the_packs_current_policies_and_levels():
    from tools.policy_table import render_markdown

    assert _between(_doc("policies.md"), "<!-- policy-table:start -->", "<!-- policy-table:end -->") \
        == render_markdown().strip(), "regenerate with: python -m tools.policy_table"


def test_bridge_environment_table_is_the_bridges_own():
    from iot_tiers_runtime.bridge.config import env_table_markdown

    assert _between(_doc("realtime.md"), "<!-- bridge-env:start -->", "<!-- bridge-env:end -->") \
        == env_table_markdown().strip(), "regenerate with: python -m iot_tiers_runtime.bridge --env-table"
