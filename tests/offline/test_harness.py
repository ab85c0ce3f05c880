"""The capturing harness records the graph the engine (and a policy pack) would see."""

from __future__ import annotations

from pathlib import Path

import pytest

from iot_tiers.offline.harness import ProgramError, run_stack
from iot_tiers.offline.project import ProjectError
from support import REPO_ROOT


def _fn(capture):
    return next(r for r in capture.resources if r.name == "processing-function")


def test_property_dependencies_name_the_resources_an_input_came_from(dev_stack):
    fn = _fn(dev_stack)
    role = next(r for r in dev_stack.resources if r.name == "processing-role")
    assert fn.property_dependencies["role"] == [role.urn]


def test_explicit_depends_on_is_recorded(dev_stack):
    fn = _fn(dev_stack)
    policy = next(r for r in dev_stack.resources if r.name == "processing-role-policy")
    assert policy.urn in fn.dependencies


def test_custom_resources_get_the_default_provider_reference(dev_stack):
    fn = _fn(dev_stack)
    assert fn.provider.startswith("urn:pulumi:dev::iot-tiers::pulumi:providers:aws::default_")
    assert next(r for r in dev_stack.resources if r.type.endswith("ProcessingTier")).provider == ""


def test_parents_form_a_tree_under_the_stack(dev_stack):
    urns = {r.urn for r in dev_stack.resources}
    for r in dev_stack.resources:
        assert r.parent in urns or r.parent.endswith("pulumi:pulumi:Stack::iot-tiers-dev"), r.name


def test_two_runs_capture_the_same_graph():
    repo = REPO_ROOT
    a, b = run_stack(repo, "dev"), run_stack(repo, "dev")
    assert sorted((r.urn, repr(r.inputs)) for r in a.resources) == sorted((r.urn, repr(r.inputs)) for r in b.resources)


def test_a_missing_stack_file_names_the_stacks_there(repo_root):
    with pytest.raises(ProjectError) as err:
        run_stack(repo_root, "qa")
    assert "no stack file Pulumi.qa.yaml" in str(err.value)
    assert "dev" in str(err.value) and "prod" in str(err.value)


def test_a_directory_without_pulumi_yaml_is_refused(tmp_path):
    with pytest.raises(ProjectError, match="has no Pulumi.yaml"):
        run_stack(tmp_path, "dev")


def test_a_crashing_program_reports_its_own_traceback(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: crashy\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("def build():\n    raise ValueError('no such sensor')\nbuild()\n")
    with pytest.raises(ProgramError) as err:
        run_stack(tmp_path, "dev")
    assert not err.value.config_error
    assert "ValueError: no such sensor" in str(err.value)
    assert "__main__.py" in str(err.value)
    assert "iot_tiers/offline/harness.py" not in str(err.value)
