"""The cost model ships in the published policy pack: it must work from policies/ alone."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from support import REPO_ROOT

REPO = REPO_ROOT
COST = REPO / "policies" / "iot_tiers_policy" / "cost"
STDLIB = set(sys.stdlib_module_names)


def test_the_cost_package_imports_only_the_standard_library_and_the_pack():
    for path in sorted(COST.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] in STDLIB | {"__future__"}, f"{path.name}: from {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in STDLIB, f"{path.name}: import {alias.name}"


def test_the_budget_policy_runs_from_a_copy_of_policies_alone(tmp_path):
    """As `pulumi policy publish` uploads it: policies/ without components/ or iot_tiers/ beside it."""
    shutil.copytree(REPO / "policies", tmp_path / "policies",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    script = textwrap.dedent("""
        import sys
        from iot_tiers_policy.budget import POLICIES, check_budget
        from iot_tiers_policy.cost import ResourceView
        views = [ResourceView("urn:k", "aws:kms/key:Key", "key", {}),
                 ResourceView("urn:n", "aws:ec2/natGateway:NatGateway", "nat", {})]
        print(check_budget(views, {"monthlyBudgetUsd": 10}))
        assert not any(m.split(".")[0] in ("components", "iot_tiers") for m in sys.modules), "imported the repo"
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path / "policies", capture_output=True,
                            text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    assert "estimated $37.73/month exceeds the budget of $10.00/month" in result.stdout
