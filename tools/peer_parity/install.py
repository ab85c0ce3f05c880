"""The peers' own installs, outside the project's .venv: checkov in a virtualenv, awsguard with npm."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKOV_VENV = ROOT / ".venv-checkov"
AWSGUARD_DIR = ROOT / ".peer" / "awsguard"
PACK_SOURCE = Path(__file__).resolve().parent / "awsguard_pack"


def checkov_python(version: str) -> Path:
    """The checkov virtualenv's interpreter, creating the virtualenv and installing checkov when missing."""
    python = CHECKOV_VENV / "bin" / "python"
    if not (CHECKOV_VENV / "bin" / "checkov").exists():
        print(f"peer-parity: installing checkov {version} into {CHECKOV_VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        f"checkov=={version}"], check=True)
    return python


def awsguard_pack() -> Path:
    """The awsguard pack folder with its node_modules, installing them with npm when missing."""
    AWSGUARD_DIR.mkdir(parents=True, exist_ok=True)
    for f in PACK_SOURCE.iterdir():
        shutil.copy2(f, AWSGUARD_DIR / f.name)
    if not (AWSGUARD_DIR / "node_modules" / "@pulumi" / "awsguard").is_dir():
        if shutil.which("npm") is None:
            raise SystemExit("peer-parity: awsguard needs Node.js and npm (apt-get install nodejs npm)")
        print(f"peer-parity: installing awsguard into {AWSGUARD_DIR}", file=sys.stderr)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=AWSGUARD_DIR, check=True)
    return AWSGUARD_DIR
