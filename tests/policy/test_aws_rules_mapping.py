"""The input-to-API mapping of aws_rules, held against the two things it claims to join.

Every API member a spec names must exist in botocore's model of that operation, and
every input it reads must be an input of that resource type in the installed
pulumi_aws SDK: a typo on either side would silently check nothing.
"""

from __future__ import annotations

import ast
import functools
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pulumi_aws
import pytest

from iot_tiers_policy.aws_rules.documented import RULES
from iot_tiers_policy.aws_rules.names import AUTONAMES
from iot_tiers_policy.aws_rules.requests import CALLS
from iot_tiers_policy.aws_rules.shapes import compiled, input_shape
from support import REPO_ROOT

SDK = Path(pulumi_aws.__file__).parent


@functools.lru_cache(maxsize=None)
def sdk_files() -> dict[str, Path]:
    """pulumi type token -> the SDK file that defines the resource."""
    out = {}
    token = re.compile(r'@pulumi\.type_token\("(aws:[^"]+)"\)')
    for path in SDK.rglob("*.py"):
        for t in token.findall(path.read_text()):
            out.setdefault(t, path)
    return out


def sdk_inputs(typ: str) -> set[str]:
    """The resource's input names, camelCase as the engine receives them."""
    text = sdk_files()[typ].read_text()
    args = text.split("class _", 1)[0]  # the Args class comes before the State class
    snake = set(re.findall(r'pulumi\.set\(__self__, "([a-z0-9_]+)"', args))
    return {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), s) for s in snake}


def api_path_exists(shape, path: str) -> bool:
    for part in path.split("."):
        while shape.type_name == "list":
            shape = shape.member
        if shape.type_name != "structure" or part not in shape.members:
            return False
        shape = shape.members[part]
    return True


SPECS = [(typ, call) for typ, calls in CALLS.items() for call in calls]


@pytest.mark.parametrize("typ,call", SPECS, ids=[f"{t.split(':')[-1]}-{c.operation}" for t, c in SPECS])
def test_every_api_member_a_spec_names_is_in_botocores_model(typ, call):
    shape = input_shape(call.service, call.operation)
    for api in call.fields.values():
        assert api_path_exists(shape, api), f"{call.operation} has no member {api}"
    for name in call.same:
        assert call.member_for(name) in shape.members
    for member in call.exempt:
        assert api_path_exists(shape, member.replace("[]", "")), f"{call.operation} has no member {member}"


@pytest.mark.parametrize("typ", sorted(CALLS))
def test_every_input_a_spec_reads_is_an_input_of_that_type_in_pulumi_aws(typ):
    assert typ in sdk_files(), f"{typ} is not a pulumi_aws resource type"
    inputs = sdk_inputs(typ)
    named = AUTONAMES.get(typ)
    for call in CALLS[typ]:
        for src in [*call.fields, *call.same, *call.reads]:
            top = src.split(".")[0]
            assert top in inputs or (named and top == named.field), f"{typ} has no input {top!r}"


@pytest.mark.parametrize("typ,call", SPECS, ids=[f"{t.split(':')[-1]}-{c.operation}" for t, c in SPECS])
def test_every_member_a_call_says_it_fills_is_in_botocores_model(typ, call):
    """The coverage table (docs/aws-rules.md) lists what ``members()`` says: a member that is not there checks nothing."""
    shape = input_shape(call.service, call.operation)
    assert [m for m in call.members() if m not in shape.members] == []
    if call.build is not None:
        assert getattr(call.build, "fills", ()), f"{call.operation}: its builder declares no members (@fills)"


def test_builders_fill_only_the_members_they_declare_on_the_repos_stacks_and_the_team_programs(dev_stack, prod_stack):
    from iot_tiers.offline.harness import run_stack
    from iot_tiers_policy._util import is_unknown

    from .conftest import PROGRAMS

    captures = [dev_stack, prod_stack, *(run_stack(PROGRAMS / p, "dev") for p in ("aws_team_coverage", "aws_refused"))]
    built = 0
    for capture in captures:
        for r in capture.resources:
            for call in CALLS.get(r.type, []):
                req = call.request(r.inputs, is_unknown)
                assert set(req.params) <= set(call.members()), f"{r.type} {call.operation}: {sorted(req.params)}"
                built += 1
    assert built > 150


def test_every_auto_named_type_is_a_pulumi_aws_type_with_that_input():
    for typ, rule in AUTONAMES.items():
        assert typ in sdk_files(), typ
        assert rule.field in sdk_inputs(typ), f"{typ} has no input {rule.field!r}"


def test_every_documented_rule_reads_a_member_of_its_operation():
    for rule in RULES:
        if rule.path:
            assert api_path_exists(input_shape(rule.service, rule.operation), rule.path.replace("[]", "")), rule


@pytest.mark.parametrize("pattern,good,bad", [
    (r"[0-9A-Za-z _-]+", "every 24 h - keep 3", "every 24 h, keep 3"),
    (r"^[a-zA-Z0-9_]+$", "greenhouse_rule", "greenhouse-rule"),
    (r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)", "Zürich office: moves in Q3", "moves in Q3 (TICKET-42)"),
    (r"[\p{all}]*", "anything at all\n", None),
    (r"\p{Print}+", "ASCII only", "naïve"),
    (r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*", "tag 🌱 value", "bell\x07"),
])
def test_botocores_java_patterns_match_whole_values_as_aws_matches_them(pattern, good, bad):
    match = compiled(pattern)
    assert match is not None and match(good)
    if bad is not None:
        assert not match(bad)


def test_aws_rules_import_only_the_standard_library_botocore_regex_and_the_pack():
    allowed = set(sys.stdlib_module_names) | {"__future__", "botocore", "regex", "pulumi_policy"}
    folder = REPO_ROOT / "policies" / "iot_tiers_policy"
    for path in [*sorted((folder / "aws_rules").glob("*.py")), folder / "aws_api.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] in allowed, f"{path.name}: from {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] in allowed, f"{path.name}: import {alias.name}"


def test_the_policies_run_from_a_copy_of_policies_alone(tmp_path):
    """As `pulumi policy publish` uploads it: no components/ or iot_tiers/ beside it."""
    shutil.copytree(REPO_ROOT / "policies", tmp_path / "policies",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    script = textwrap.dedent("""
        import sys
        from iot_tiers_policy.aws_api import POLICIES
        from iot_tiers_policy.aws_rules import check_resource
        r = check_resource("aws:cloudwatch/logGroup:LogGroup", "logs", {"name": "/a b", "retentionInDays": 45})
        print(len(POLICIES), [v.input for v in r.violations])
        assert not any(m.split(".")[0] in ("components", "iot_tiers") for m in sys.modules), "imported the repo"
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path / "policies", capture_output=True,
                            text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3 ['name', 'retentionInDays']"
