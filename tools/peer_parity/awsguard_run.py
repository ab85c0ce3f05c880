"""Running awsguard for real: its own Node.js pack, spoken to over Pulumi's analyzer protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

from iot_tiers.offline.analyzer import Diagnostic, PolicyPackClient, Resource, reconcile_config

STACK_URN = "urn:pulumi:peer::parity::pulumi:pulumi:Stack::parity-peer"


class Awsguard:
    """A started awsguard pack; ``aliases`` renames type tokens to the ones its policies match."""

    def __init__(self, pack_dir: Path, aliases: Mapping[str, str]) -> None:
        self.client = PolicyPackClient(pack_dir, project="parity", stack="peer", config={"aws:region": "us-east-1"})
        self.aliases = dict(aliases)

    def __enter__(self) -> "Awsguard":
        self.client.start()
        self.client.handshake_and_configure_stack()
        self.info = self.client.analyzer_info()
        self.client.configure(reconcile_config(self.info, {}))
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()

    def policies(self) -> list[str]:
        return [p.name for p in self.info.policies]

    def analyze(self, resources: Iterable[Resource]) -> list[Diagnostic]:
        """Analyze every resource, then the stack; diagnostics name the resources' own URNs."""
        renamed, back = [], {}
        for r in resources:
            typ = self.aliases.get(r.type, r.type)
            urn = r.urn.replace(f"::{r.type}::", f"::{typ}::")
            back[urn] = r.urn
            renamed.append(Resource(urn=urn, type=typ, name=r.name, properties=r.properties, parent=r.parent,
                                    dependencies=r.dependencies, property_dependencies=r.property_dependencies))
        out = [d for r in renamed for d in self.client.analyze(r)]
        stack = Resource(urn=STACK_URN, type="pulumi:pulumi:Stack", name="parity-peer", properties={})
        out += self.client.analyze_stack([stack, *renamed])
        return [Diagnostic(d.policy, d.pack, d.pack_version, d.level, d.severity, back.get(d.urn, d.urn), d.message,
                           d.description) for d in out]
