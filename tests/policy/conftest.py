"""Fixtures for the policy pack tests: one pack process per session, spoken to over gRPC.

Policies are never called directly: every test builds resources (small dicts or a
captured fixture program), sends them through ``Analyze``/``AnalyzeStack`` exactly
as the Pulumi CLI would, and reads the diagnostics the pack answers with.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Optional

import pytest

from iot_tiers.offline.analyzer import Diagnostic, PolicyPackClient, Resource, reconcile_config
from support import REPO_ROOT

REPO = REPO_ROOT

PACK = REPO / "policies"
PROGRAMS = Path(__file__).resolve().parent / "programs"
STACK_URN = "urn:pulumi:test::fixtures::pulumi:pulumi:Stack::fixtures-test"


def urn(typ: str, name: str) -> str:
    return f"urn:pulumi:test::fixtures::{typ}::{name}"


def res(typ: str, name: str, props: Optional[dict[str, Any]] = None, *,
        deps: Optional[dict[str, Iterable[tuple[str, str]]]] = None, parent: str = STACK_URN) -> Resource:
    """A resource as the engine sends it; ``deps`` maps a property to (type, name) pairs it depends on."""
    prop_deps = {k: [urn(t, n) for t, n in v] for k, v in (deps or {}).items()}
    return Resource(urn=urn(typ, name), type=typ, name=name, properties=dict(props or {}), parent=parent,
                    dependencies=sorted({u for v in prop_deps.values() for u in v}),
                    property_dependencies=prop_deps)


class Pack:
    """The running pack, with helpers that reset its config around each call."""

    def __init__(self, client: PolicyPackClient) -> None:
        self.client = client
        self.info = client.analyzer_info()
        self.configure({})

    def configure(self, given: dict[str, Any]) -> None:
        """Every policy at its own level and defaults, then ``given``: the environment profile the pack
        would apply (its initial config) is left out, so a fixture meets the policy as written."""
        self.client.configure(reconcile_config(replace(self.info, initial_config={}), given))

    def analyze(self, r: Resource) -> list[Diagnostic]:
        return self.client.analyze(r)

    def analyze_stack(self, resources: list[Resource]) -> list[Diagnostic]:
        stack = Resource(urn=STACK_URN, type="pulumi:pulumi:Stack", name="fixtures-test", properties={})
        return self.client.analyze_stack([stack, *resources])


@pytest.fixture(scope="session")
def pack() -> Iterable[Pack]:
    client = PolicyPackClient(PACK, project="fixtures", stack="test", config={"aws:region": "us-east-1"})
    client.start()
    try:
        client.handshake_and_configure_stack()
        yield Pack(client)
    finally:
        client.close()


@pytest.fixture
def default_config(pack: Pack) -> Iterable[Pack]:
    """The pack with every policy at its own default level; restored after the test."""
    pack.configure({})
    yield pack
    pack.configure({})
