"""ProcessingTier as a library: the arguments an internal team passes, under @pulumi.runtime.test."""

from __future__ import annotations

import pulumi
import pytest

from iot_tiers.components import ConfigError, ProcessingTier
from iot_tiers.offline.mocks import AwsMocks


class RecordingMocks(AwsMocks):
    def __init__(self) -> None:
        super().__init__()
        self.created: dict[str, dict] = {}

    def new_resource(self, args):
        rid, state = super().new_resource(args)
        self.created[args.name] = dict(args.inputs)
        return rid, state


@pytest.fixture
def mocks():
    m = RecordingMocks()
    pulumi.runtime.set_mocks(m, project="team", stack="test", preview=False)
    return m


@pulumi.runtime.test
def test_library_defaults_are_the_tables_defaults(mocks):
    tier = ProcessingTier("telemetry")

    def check(values):
        memory, timeout = values
        assert (memory, timeout) == (256, 30)
        assert mocks.created["telemetry-queue"]["visibilityTimeoutSeconds"] == 6 * 30 + 1
    return pulumi.Output.all(tier.function.memory_size, tier.function.timeout).apply(check)


@pulumi.runtime.test
def test_transform_rewrites_a_childs_arguments(mocks):
    tier = ProcessingTier("telemetry", {
        "memory_mb": 512,
        "transform": {"table": lambda a: {**a, "table_class": "STANDARD_INFREQUENT_ACCESS"}},
    })

    def check(values):
        table_class, memory = values
        assert table_class == "STANDARD_INFREQUENT_ACCESS"
        assert memory == 512
    return pulumi.Output.all(tier.table.table_class, tier.function.memory_size).apply(check)


@pulumi.runtime.test
def test_extra_tags_reach_every_child(mocks):
    tier = ProcessingTier("telemetry", {"tags": {"team": "sensors"}})

    def check(tags):
        assert tags["team"] == "sensors"
        assert tags["workload:trigger"] == "event"
    return tier.function.tags.apply(check)


def test_a_bad_argument_is_refused_with_what_is_allowed(mocks):
    with pytest.raises(ConfigError) as err:
        ProcessingTier("telemetry", {"memory_mb": 64})
    assert "processing: memory_mb=64 is not allowed: a whole number of MB from 128 to 10240" in str(err.value)


def test_an_unknown_argument_is_refused_not_ignored(mocks):
    with pytest.raises(ConfigError) as err:
        ProcessingTier("telemetry", {"memory": 512})
    assert "unknown argument 'memory'" in str(err.value)
