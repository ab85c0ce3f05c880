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


# ---------------------------------------------------------------- grants


@pulumi.runtime.test
def test_grant_read_table_takes_a_role_its_name_or_its_arn_and_names_the_grant_after_it(mocks):
    import pulumi_aws as aws

    tier = ProcessingTier("telemetry")
    role = aws.iam.Role("dashboard-api", assume_role_policy="{}")
    by_object = tier.grant_read_table(role)
    by_name = tier.grant_read_table("reporting")
    by_arn = tier.grant_read_table("arn:aws:iam::123456789012:role/ops/oncall")
    assert [p._name for p in (by_object, by_name, by_arn)] == [
        "telemetry-read-table-dashboard-api", "telemetry-read-table-reporting", "telemetry-read-table-oncall"]

    def check(_):
        roles = [mocks.created[n]["role"] for n in ("telemetry-read-table-dashboard-api",
                                                     "telemetry-read-table-reporting", "telemetry-read-table-oncall")]
        assert roles[1:] == ["reporting", "oncall"]  # an ARN becomes the role name RolePolicy takes
        assert roles[0] == mocks.created["dashboard-api"].get("name", roles[0])
    return pulumi.Output.all(by_object.id, by_name.id, by_arn.id).apply(check)


def test_granting_the_same_role_twice_is_the_same_grant(mocks):
    tier = ProcessingTier("telemetry")
    first = tier.grant_read_table("reporting")
    assert tier.grant_read_table("arn:aws:iam::123456789012:role/reporting") is first
    assert tier.grant_read_table("analytics") is not first


def test_a_grant_to_an_output_is_a_clear_error_naming_the_argument_form(mocks):
    tier = ProcessingTier("telemetry")
    with pytest.raises(ConfigError) as err:
        tier.grant_read_table(pulumi.Output.from_input("role-from-another-stack"))
    assert "grant_read_table() got an Output" in str(err.value) and "table_readers" in str(err.value)


@pulumi.runtime.test
def test_the_argument_forms_of_the_grants_take_outputs(mocks):
    tier = ProcessingTier("telemetry", {
        "table_readers": [pulumi.Output.from_input("arn:aws:iam::123456789012:role/bi")],
        "alert_queues": ["arn:aws:sqs:us-east-1:123456789012:pager"],
    })

    def check(_):
        assert mocks.created["telemetry-table-reader-0"]["role"] == "bi"
        sub = mocks.created["telemetry-alert-queue-0"]
        assert (sub["protocol"], sub["endpoint"]) == ("sqs", "arn:aws:sqs:us-east-1:123456789012:pager")
    return pulumi.Output.all(tier.table_reader_policies[0].id, tier.alert_queue_subscriptions[0].id).apply(check)


def test_subscribing_a_queue_twice_is_one_subscription(mocks):
    import pulumi_aws as aws

    tier = ProcessingTier("telemetry")
    queue = aws.sqs.Queue("pager")
    assert tier.grant_subscribe_alerts(queue) is tier.grant_subscribe_alerts(queue)
    assert tier.grant_subscribe_alerts(queue)._name == "telemetry-alerts-to-pager"
