"""The package as a team gets it: a wheel, installed into a fresh virtualenv outside the repo.

Nothing of the repository is on the path here: the previews run the wheel's own code,
from a folder in a temporary directory, with the virtualenv's ``tiers``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support import REPO_ROOT

pytestmark = pytest.mark.slow

#: The only import roots the distribution may add (and its metadata folder).
ROOTS = {"iot_tiers", "iot_tiers_runtime", "iot_tiers_policy"}

TEAM_PROGRAMS = {
    "team-telemetry": REPO_ROOT / "examples" / "team-telemetry",
    "team-own-folders": Path(__file__).resolve().parent / "programs" / "team_own_folders",
}

#: What the Lambda archive holds, as names and content hashes, run inside an install.
ARCHIVE_MANIFEST = (
    "import hashlib, json\n"
    "from iot_tiers.components.assets import lambda_files, runtime_dir\n"
    "files = lambda_files()\n"
    "print(json.dumps({'root': str(runtime_dir()),"
    " 'files': {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in files.items()}}))\n"
)


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(kw.pop("env", {}))
    return subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # From a copy of the sources, so the build leaves nothing (build/, *.egg-info) in the repo.
    source = tmp_path_factory.mktemp("source") / "iot-tiers"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
        "node_modules", "tests", "benchmarks"))
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                timeout=600)
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("iot_tiers-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh virtualenv (no system site-packages) with the wheel and its dependencies."""
    where = tmp_path_factory.mktemp("fresh") / "venv"
    proc = _run([sys.executable, "-m", "venv", str(where)], timeout=120)
    assert proc.returncode == 0, proc.stderr
    proc = _run([str(where / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                 str(wheel)], timeout=1200)
    assert proc.returncode == 0, proc.stderr
    return where


def test_the_wheel_adds_only_the_distinctive_import_roots(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops - {n for n in tops if n.endswith(".dist-info")} == ROOTS
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # The pieces the runtime and the pack need at run time travel with them.
    for needed in ("iot_tiers/py.typed", "iot_tiers_runtime/bridge/Dockerfile",
                   "iot_tiers_runtime/bridge/.dockerignore", "iot_tiers_runtime/bridge/requirements.txt",
                   "iot_tiers_policy/pack/PulumiPolicy.yaml", "iot_tiers_policy/pack/__main__.py",
                   "iot_tiers_policy/pack/config/prod.json", "iot_tiers_policy/cost/prices/us-east-1.json"):
        assert needed in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_generic_names_stay_free_for_the_teams_own_folders(venv, tmp_path):
    for generic in ("components", "runtime", "policies", "tools"):
        proc = _run([str(venv / "bin" / "python"), "-c", f"import {generic}"], cwd=tmp_path)
        assert proc.returncode == 1 and "ModuleNotFoundError" in proc.stderr, generic


@pytest.mark.parametrize("program", sorted(TEAM_PROGRAMS))
def test_a_team_program_previews_clean_with_the_installed_wheel(venv, tmp_path, program):
    folder = tmp_path / program
    shutil.copytree(TEAM_PROGRAMS[program], folder, ignore=shutil.ignore_patterns("__pycache__"))
    proc = _run([str(venv / "bin" / "tiers"), "preview", "--stack", "dev", "--program", str(folder), "--json"],
                cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr + proc.stdout[-2000:]
    report = json.loads(proc.stdout)
    types = {r["type"] for r in report["resources"]}
    assert "iot-tiers:index:ProcessingTier" in types
    assert report["summary"]["mandatory"] == 0
    # The tiers' code came from the wheel, not from a folder of the program or the repo.
    code = next(r["inputs"]["code"] for r in report["resources"] if r["name"].endswith("-telemetry-function")
                or r["name"] == "greenhouse-function")
    paths = [a["path"] for a in code["assets"].values()]
    assert all(str(venv) in p for p in paths), paths


def test_the_lambda_archive_is_the_same_from_any_install_of_one_wheel(venv, wheel, tmp_path):
    python = str(venv / "bin" / "python")
    # A lived-in install: bytecode caches everywhere, an editor's leftovers beside the handler.
    site = Path(_run([python, "-c", "import iot_tiers_runtime, os; print(os.path.dirname(iot_tiers_runtime.__file__))"])
                .stdout.strip())
    assert _run([python, "-m", "compileall", "-q", str(site)]).returncode == 0
    (site / "processing" / "handler.py~").write_text("old\n")
    (site / "processing" / ".handler.py.swp").write_bytes(b"\0swap")
    first = json.loads(_run([python, "-c", ARCHIVE_MANIFEST], cwd=tmp_path).stdout)

    # A second install of the same wheel, at another path, never imported.
    other = tmp_path / "elsewhere"
    proc = _run([python, "-m", "pip", "install", "-q", "--no-deps", "--target", str(other), str(wheel)], timeout=300)
    assert proc.returncode == 0, proc.stderr
    second = json.loads(_run([python, "-c", ARCHIVE_MANIFEST], cwd=tmp_path, env={"PYTHONPATH": str(other)}).stdout)

    assert first["root"] != second["root"] and second["root"].startswith(str(other))
    assert first["files"] == second["files"]
    assert "iot_tiers_runtime/processing/handler.py" in first["files"]
    assert not [n for n in first["files"] if not n.endswith(".py") or "__pycache__" in n]


#: The bridge image's tag, computed inside an install.
IMAGE_TAG = (
    "from iot_tiers.components.assets import bridge_context, image_tag\n"
    "from iot_tiers.components.realtime import IMAGE_BUILD\n"
    "print(image_tag(bridge_context(), build=IMAGE_BUILD))\n"
)


def test_the_bridge_image_tag_is_the_same_from_the_repo_and_an_installed_wheel(venv, tmp_path):
    from iot_tiers.components.assets import image_tag
    from iot_tiers.components.realtime import IMAGE_BUILD

    python = str(venv / "bin" / "python")
    bridge = Path(_run([python, "-c", "import iot_tiers_runtime.bridge as b, os; print(os.path.dirname(b.__file__))"])
                  .stdout.strip())
    # Lived in: bytecode caches and an editor's leftover, which .dockerignore leaves out.
    assert _run([python, "-m", "compileall", "-q", str(bridge)]).returncode == 0
    (bridge / "app.py~").write_text("old\n")
    installed = _run([python, "-c", IMAGE_TAG], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.strip() == image_tag(REPO_ROOT / "runtime" / "bridge", build=IMAGE_BUILD)


#: Programs a type checker must find clean, and the one it must find wrong where it says.
TYPED_CLEAN = [REPO_ROOT / "examples" / "team-telemetry", Path(__file__).resolve().parent / "programs" / "team_own_folders"]
TYPED_WRONG = Path(__file__).resolve().parent / "typecheck" / "wrong_program.py"


@pytest.fixture(scope="module")
def mypy(venv, tmp_path_factory) -> list[str]:
    """mypy in the team's virtualenv: it sees the tiers through the wheel's py.typed, as a team's CI would."""
    proc = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                 "mypy>=1.10,<2"], timeout=600)
    assert proc.returncode == 0, proc.stderr
    cache = tmp_path_factory.mktemp("mypy-cache")
    return [str(venv / "bin" / "python"), "-m", "mypy", "--cache-dir", str(cache), "--no-error-summary",
            "--show-error-codes"]


@pytest.mark.parametrize("program", TYPED_CLEAN, ids=lambda p: p.name)
def test_a_type_checker_finds_the_team_programs_clean(mypy, program, tmp_path):
    folder = tmp_path / program.name
    shutil.copytree(program, folder, ignore=shutil.ignore_patterns("__pycache__"))
    proc = _run([*mypy, "__main__.py"], cwd=folder, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_type_checker_catches_every_mistake_of_the_wrong_program(mypy, tmp_path):
    shutil.copy(TYPED_WRONG, tmp_path / "wrong_program.py")
    proc = _run([*mypy, "wrong_program.py"], cwd=tmp_path, timeout=900)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    reported = {int(line.split(":")[1]) for line in proc.stdout.splitlines() if ": error:" in line}
    lines = TYPED_WRONG.read_text().splitlines()
    expected = {i for i, line in enumerate(lines, start=1) if ")  # expect-error" in line}
    assert expected and reported == expected, proc.stdout
