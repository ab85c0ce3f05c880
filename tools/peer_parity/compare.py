"""The comparison itself: peer rules against the pack's policies, on the policies' failing fixtures."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Optional

from iot_tiers.offline.analyzer import Diagnostic, PolicyPackClient, Resource

from . import terraform

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies"
RULES_FILE = PACK / "iot_tiers_policy" / "peer_rules.json"
FIXTURES_FILE = ROOT / "tests" / "policy" / "security_fixtures.py"
STACK_URN = "urn:pulumi:peer::parity::pulumi:pulumi:Stack::parity-pack"


def load_rules() -> dict[str, Any]:
    return json.loads(RULES_FILE.read_text())


def load_fixtures() -> ModuleType:
    """tests/policy/security_fixtures.py (plain data, no pytest), loaded by path."""
    spec = importlib.util.spec_from_file_location("security_fixtures", FIXTURES_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def urn(typ: str, name: str) -> str:
    return f"urn:pulumi:peer::parity::{typ}::{name}"


def engine_resources(fixture: Iterable[Any]) -> list[Resource]:
    """A fixture's resources as the engine hands them to a pack (the same shape the pack tests send)."""
    fixture = list(fixture)
    types = {r.name: r.type for r in fixture}
    out = []
    for r in fixture:
        deps = {k: [urn(types[n], n) for n in v] for k, v in r.deps.items()}
        out.append(Resource(urn=urn(r.type, r.name), type=r.type, name=r.name, properties=dict(r.props),
                            parent=STACK_URN, dependencies=sorted({u for v in deps.values() for u in v}),
                            property_dependencies=deps))
    return out


def terraform_resources(resources: Iterable[Resource]) -> list[terraform.Resource]:
    return [terraform.Resource(r.urn, r.type, r.name, r.properties, r.property_dependencies) for r in resources]


class Pack:
    """A started policy pack (ours, or ours at the baseline commit) with every policy at its default level."""

    def __init__(self, pack_dir: Path) -> None:
        self.client = PolicyPackClient(pack_dir, project="parity", stack="pack", config={"aws:region": "us-east-1"})

    def __enter__(self) -> "Pack":
        from iot_tiers.offline.analyzer import reconcile_config

        self.client.start()
        self.client.handshake_and_configure_stack()
        self.info = self.client.analyzer_info()
        self.client.configure(reconcile_config(self.info, {}))
        return self

    def __exit__(self, *exc: Any) -> None:
        self.client.close()

    def analyze(self, resources: list[Resource]) -> list[Diagnostic]:
        stack = Resource(urn=STACK_URN, type="pulumi:pulumi:Stack", name="parity-pack", properties={})
        return [d for r in resources for d in self.client.analyze(r)] + self.client.analyze_stack([stack, *resources])


def baseline_pack(commit: str, into: Path) -> Path:
    """The pack's folder as it was at ``commit`` (``git archive``), unpacked under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "policies"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "policies"


@dataclass
class Verdict:
    """One peer rule: what the data file says and what the run saw."""

    peer: str
    rule: str
    title: str
    policy: Optional[str] = None
    declined: Optional[str] = None
    #: Why the peer rule cannot fire on any real resource (a defect of the peer); the policy must still fire.
    peer_defect: Optional[str] = None
    peer_fired: bool = False
    pack_fired: bool = False
    before: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.declined:
            return "declined"
        if self.policy and self.pack_fired and (self.peer_fired or (self.peer_defect and not self.peer_fired)):
            return "covered"
        if self.policy:
            return "unverified"
        return "missing"


def relevant_checkov(registry: dict[str, dict], scope: dict[str, list[str]]) -> set[str]:
    """checkov checks whose subject types are in scope (see peer_rules.json, checkov.relevance)."""
    types = {t for ts in scope.values() for t in ts}
    return {k for k, v in registry.items() if k.startswith("CKV") and set(v["subjects"]) & types}
