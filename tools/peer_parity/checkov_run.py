"""Running the installed checkov: its registry, and its verdicts on Terraform written from resources."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

from .terraform import Resource, render_hcl, to_terraform

REGISTRY_SCRIPT = Path(__file__).resolve().parent / "_checkov_registry.py"


def registry(python: Path) -> dict[str, dict]:
    """``{check id: {"name", "kind", "subjects"}}`` for checkov's AWS Terraform checks, from its registry."""
    out = subprocess.run([str(python), str(REGISTRY_SCRIPT)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def scan(python: Path, configurations: Mapping[str, Iterable[Resource]]) -> dict[str, dict[tuple[str, str], str]]:
    """checkov's results per configuration: ``{name: {(check id, resource urn): "PASSED"|"FAILED"}}``.

    Each configuration is written to a folder of its own as ``main.tf`` and all are scanned in
    one checkov run.
    """
    checkov = python.parent / "checkov"
    with tempfile.TemporaryDirectory(prefix="peer-parity-") as tmp:
        addresses: dict[str, dict[str, str]] = {}
        for name, resources in configurations.items():
            doc, addrs = to_terraform(resources)
            folder = Path(tmp) / name
            folder.mkdir()
            (folder / "main.tf").write_text(render_hcl(doc))
            addresses[name] = addrs
        run = subprocess.run([str(checkov), "-d", tmp, "--framework", "terraform", "-o", "json",
                              "--skip-download", "--compact"], capture_output=True, text=True)
        if run.returncode not in (0, 1):
            raise RuntimeError(f"checkov failed ({run.returncode}): {run.stderr[-2000:]}")
        report = json.loads(run.stdout) if run.stdout.strip() else {}
    reports = report if isinstance(report, list) else [report]
    results: dict[str, dict[tuple[str, str], str]] = {name: {} for name in configurations}
    for rep in reports:
        for verdict, key in (("PASSED", "passed_checks"), ("FAILED", "failed_checks")):
            for c in (rep.get("results") or {}).get(key, []):
                name = Path(c["file_path"].lstrip("/")).parts[0]
                urn = addresses.get(name, {}).get(c["resource"])
                if urn is not None:
                    results[name][(c["check_id"], urn)] = verdict
    return results
