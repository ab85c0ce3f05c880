"""The tiers as a Pulumi component package: the provider started as Pulumi starts it, spoken to over
its gRPC protocol (GetSchema, Construct), its children captured by an engine served from the mocks."""

from __future__ import annotations

import json

import pytest

import iot_tiers
from iot_tiers.offline.harness import run_stack
from iot_tiers.offline.plugin import ComponentProviderClient, EngineServer
from support import REPO_ROOT

pytestmark = pytest.mark.slow

PLUGIN = REPO_ROOT / "provider"
TIERS = [iot_tiers.ProcessingTier, iot_tiers.RealtimeTier, iot_tiers.HeavyComputeTier, iot_tiers.Network]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


@pytest.fixture(scope="module")
def schema():
    with EngineServer("schema", "test") as engine, ComponentProviderClient(PLUGIN, engine) as provider:
        return provider.schema()


def test_the_schema_lists_every_tier_as_a_component(schema):
    assert schema["name"] == "iot-tiers"
    tokens = {f"iot-tiers:index:{cls.__name__}" for cls in TIERS}
    assert tokens <= set(schema["resources"])
    assert all(schema["resources"][t]["isComponent"] for t in tokens)


@pytest.mark.parametrize("cls", TIERS, ids=lambda c: c.__name__)
def test_every_input_is_in_the_schema_described_and_required_where_the_type_says(schema, cls):
    import sys

    resource = schema["resources"][f"iot-tiers:index:{cls.__name__}"]
    args_type = getattr(sys.modules[cls.__module__], f"{cls.__name__}Inputs")
    expected = {_camel(k) for k in args_type.__annotations__}
    assert set(resource["inputProperties"]) == expected
    assert "transform" not in resource["inputProperties"]  # callables cannot cross languages
    for name, prop in resource["inputProperties"].items():
        assert prop.get("description"), f"{cls.__name__}.{name} has no description"
        assert "\n" not in prop["description"]
    required = {_camel(k) for k in args_type.__required_keys__}
    assert set(resource.get("requiredInputs", [])) == required


def test_the_required_wiring_is_required_and_sizing_is_not(schema):
    res = schema["resources"]
    assert set(res["iot-tiers:index:RealtimeTier"]["requiredInputs"]) == {"vpcId", "privateSubnetIds"}
    assert set(res["iot-tiers:index:HeavyComputeTier"]["requiredInputs"]) == {"role", "vpcId", "subnetIds"}
    assert not res["iot-tiers:index:ProcessingTier"].get("requiredInputs")
    memory = res["iot-tiers:index:ProcessingTier"]["inputProperties"]["memoryMb"]
    assert memory["type"] == "integer" and "Default: ``256``" in memory["description"]


@pytest.mark.parametrize("cls", TIERS, ids=lambda c: c.__name__)
def test_every_declared_output_is_in_the_schema(schema, cls):
    resource = schema["resources"][f"iot-tiers:index:{cls.__name__}"]
    assert set(resource["properties"]) == {_camel(n) for n in cls.output_names()}
    for name, prop in resource["properties"].items():
        assert prop.get("description"), f"{cls.__name__}.{name} output has no description"


PYTHON_PROGRAM = """
from iot_tiers import ProcessingTier
ProcessingTier("telemetry", {"memory_mb": 512, "topic_filter": "plant/+/data",
                             "table_readers": ["arn:aws:iam::123456789012:role/bi"]})
"""


def test_constructing_processing_tier_through_the_provider_builds_what_python_builds(tmp_path):
    inputs = {"memoryMb": 512, "topicFilter": "plant/+/data", "tableReaders": ["arn:aws:iam::123456789012:role/bi"]}
    with EngineServer("xlang", "dev") as engine, ComponentProviderClient(PLUGIN, engine) as provider:
        reply = provider.construct("iot-tiers:index:ProcessingTier", "telemetry", inputs)
        remote = engine.capture()
    assert reply.urn.endswith("::iot-tiers:index:ProcessingTier::telemetry")
    state = json.loads(json.dumps(dict(reply.state)))
    assert state["tableName"] and state["functionName"]

    (tmp_path / "Pulumi.yaml").write_text("name: xlang\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(PYTHON_PROGRAM)
    local = run_stack(tmp_path, "dev")

    def children(capture):
        (tier,) = capture.by_type("iot-tiers:index:ProcessingTier")
        return {r.name: (r.type, r.inputs) for r in capture.descendants(tier.urn)}

    built_remotely, built_locally = children(remote), children(local)
    assert set(built_remotely) == set(built_locally)
    assert len(built_remotely) > 20
    for name in built_locally:
        assert built_remotely[name] == built_locally[name], name
