"""docs/aws-rules.md's coverage table is what the code checks (tools/aws_rules_table.py generates it)."""

from __future__ import annotations

import subprocess
import sys

from support import REPO_ROOT


def test_the_coverage_table_in_the_docs_is_the_codes_current_coverage():
    from tools.aws_rules_table import DOC, END, START, render_markdown

    current = DOC.read_text().split(START, 1)[1].split(END, 1)[0].strip()
    assert current == render_markdown().strip(), "regenerate with: python -m tools.aws_rules_table update"


def test_the_tools_check_mode_fails_on_drift_and_names_the_fix(tmp_path, monkeypatch):
    import tools.aws_rules_table as table

    stale = tmp_path / "aws-rules.md"
    stale.write_text(f"intro\n{table.START}\n| an old row |\n{table.END}\n")
    monkeypatch.setattr(table, "DOC", stale)
    monkeypatch.setattr(table, "ROOT", tmp_path)
    assert table.main(["check"]) == 1
    table.main(["update"])
    assert table.main(["check"]) == 0 and stale.read_text().startswith("intro\n")


def test_every_type_the_rules_map_is_a_row_of_the_table():
    from iot_tiers_policy.aws_rules.requests import CALLS
    from tools.aws_rules_table import _short, render_markdown

    text = render_markdown()
    assert [t for t in CALLS if f"| `{_short(t)}`" not in text] == []


def test_the_check_runs_as_a_command():
    done = subprocess.run([sys.executable, "-m", "tools.aws_rules_table", "check"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
