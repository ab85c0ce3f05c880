"""What ``tiers cost --compare-to REF`` compares with: a saved estimate, another stack, or a git
revision of the program.

``REF`` is tried as, in order (a prefix forces one):

* ``file:PATH`` / an existing file: an estimate saved with ``tiers cost --json``;
* ``stack:NAME`` / a stack of the program (``Pulumi.NAME.yaml`` exists): that stack, priced now;
* ``git:REV`` / a revision git knows: the program folder as it was at ``REV``, exported
  with ``git archive`` into a temporary directory (the user's work tree, index and
  branches are never touched) and priced for the same stack. The program runs with the
  iot-tiers installed now: a revision changes the program folder (``__main__.py``,
  ``Pulumi.<stack>.yaml``), not the library.

Both sides are priced with the same prices and usage file, so the diff shows what the
program change does.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Optional

from iot_tiers_policy.cost import Usage
from iot_tiers_policy.cost.prices import PriceTable

from .costing import estimate_capture
from .harness import run_stack
from .project import load_project


class CompareError(Exception):
    """``--compare-to`` names nothing that can be compared with; the message says what was tried."""


def load_saved(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CompareError(f"--compare-to {path}: not a saved estimate ({exc})") from None
    if not isinstance(doc, dict) or "total_usd" not in doc or "items" not in doc:
        raise CompareError(f"--compare-to {path}: not an estimate saved with `tiers cost --json` "
                           "(it needs total_usd and items)")
    if "diff" in doc:  # a saved comparison: compare with its estimate, not its diff
        doc = {k: v for k, v in doc.items() if k != "diff"}
    return doc


def _git(cwd: Path, *args: str, binary: bool = False) -> Optional[Any]:
    try:
        out = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return out.stdout if binary else out.stdout.decode().strip()


def export_revision(program_dir: Path, rev: str, into: Path) -> Path:
    """Write the program folder as it is at ``rev`` under ``into``; returns its path there."""
    top = _git(program_dir, "rev-parse", "--show-toplevel")
    if not top:
        raise CompareError(f"--compare-to git:{rev}: {program_dir} is not in a git repository")
    commit = _git(program_dir, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if not commit:
        raise CompareError(f"--compare-to git:{rev}: git knows no revision {rev!r}")
    rel = program_dir.resolve().relative_to(Path(top).resolve())
    archive = _git(Path(top), "archive", "--format=tar", commit, "--", str(rel) if str(rel) != "." else ".",
                   binary=True)
    if archive is None:
        raise CompareError(f"--compare-to git:{rev}: the program folder {rel} does not exist at {rev}")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / rel


def resolve(ref: str, program_dir: Path, stack: str, prices: PriceTable, usage: Optional[Usage],
            extra_config: Optional[dict[str, Any]] = None) -> tuple[str, dict]:
    """(label, estimate document) of ``ref``. ``extra_config`` (``--config``) applies to every run of the
    program: another stack, or the program at a git revision."""
    kind, _, value = ref.partition(":") if ref.split(":", 1)[0] in ("file", "stack", "git") else ("", "", ref)
    if kind in ("", "file") and Path(value).is_file():
        return str(value), load_saved(Path(value))
    if kind == "file":
        raise CompareError(f"--compare-to file:{value}: no such file")
    project = load_project(program_dir)
    if kind == "stack" or (not kind and value in project.stacks()):
        if value not in project.stacks():
            raise CompareError(f"--compare-to stack:{value}: no Pulumi.{value}.yaml in {program_dir} "
                               f"(stacks: {', '.join(project.stacks()) or 'none'})")
        capture = run_stack(program_dir, value, extra_config=extra_config)
        doc = {"stack": capture.stack, "project": capture.project,
               **estimate_capture(capture, prices, usage=usage).as_json()}
        return f"stack {value}", doc
    with tempfile.TemporaryDirectory(prefix="tiers-compare-") as tmp:
        try:
            old = export_revision(program_dir, value, Path(tmp))
        except CompareError:
            if kind == "git":
                raise
            raise CompareError(
                f"--compare-to {ref}: not a file, not a stack of {program_dir} "
                f"({', '.join(project.stacks()) or 'none'}), and not a git revision; "
                "use file:PATH, stack:NAME or git:REV") from None
        capture = run_stack(old, stack, extra_config=extra_config)
        doc = {"stack": capture.stack, "project": capture.project,
               **estimate_capture(capture, prices, usage=usage).as_json()}
    return f"git {value}", doc
