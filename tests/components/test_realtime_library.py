"""RealtimeTier as a library: what an internal team passes, under @pulumi.runtime.test."""

from __future__ import annotations

import json

import pulumi
import pytest

from iot_tiers.components import ConfigError, RealtimeTier
from iot_tiers.offline.mocks import AwsMocks

from support import policy_statements

NET = {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-p1", "subnet-p2"],
       "public_subnet_ids": ["subnet-u1", "subnet-u2"]}
CERT = "arn:aws:acm:eu-west-1:246813579024:certificate/11111111-2222-3333-4444-555555555555"


class RecordingMocks(AwsMocks):
    """AwsMocks that keep each resource's inputs by logical name."""

    def __init__(self) -> None:
        super().__init__(region="eu-west-1")
        self.created: dict[str, dict] = {}
        self.types: dict[str, str] = {}

    def new_resource(self, args):
        rid, state = super().new_resource(args)
        self.created[args.name] = dict(args.inputs)
        self.types[args.name] = args.typ
        return rid, state


@pytest.fixture
def mocks():
    m = RecordingMocks()
    pulumi.runtime.set_mocks(m, project="team", stack="test", preview=False)
    return m


def done(tier: RealtimeTier) -> pulumi.Output:
    """Resolves once the last children (the scaling policies) are registered."""
    return pulumi.Output.all(tier.scaling_cpu.id, tier.scaling_connections.id, tier.service.id)


def containers(mocks: RecordingMocks, name: str = "bridge") -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(mocks.created[f"{name}-task-definition"]["containerDefinitions"])}


@pulumi.runtime.test
def test_a_sidecar_broker_runs_beside_the_bridge_in_a_single_task_dev(mocks):
    tier = RealtimeTier("bridge", {**NET, "environment": "development", "broker": "sidecar", "max_count": 1})

    def check(_):
        cs = containers(mocks)
        assert set(cs) == {"bridge", "broker"}
        env = {e["name"]: e["value"] for e in cs["bridge"]["environment"]}
        assert env["MQTT_BROKER_URL"] == "mqtt://127.0.0.1:1883"
        assert cs["bridge"]["dependsOn"] == [{"containerName": "broker", "condition": "START"}]
        broker = cs["broker"]
        assert "eclipse-mosquitto" in broker["image"]
        assert broker["readonlyRootFilesystem"] is True and broker["user"] == "1883:1883"
        assert "portMappings" not in broker  # localhost only: nothing outside the task reaches it
        assert not [n for n in mocks.created if n.startswith("bridge-iot-")]
        assert "bridge-task-role-policy" not in mocks.created
        assert mocks.created["bridge-scaling-target"]["maxCapacity"] == 1
        egress = [n for n in mocks.created if n.startswith("bridge-tasks-sg-out-")]
        assert egress == ["bridge-tasks-sg-out-https"]
    return done(tier).apply(check)


def test_a_sidecar_broker_with_more_than_one_task_is_refused(mocks):
    with pytest.raises(ConfigError) as err:
        RealtimeTier("bridge", {**NET, "environment": "development", "broker": "sidecar",
                                "desired_count": 2, "max_count": 3})
    text = str(err.value)
    assert "realtime: broker='sidecar'" in text
    assert "desired_count=1, min_count=1 and max_count=1" in text
    assert "now desired_count=2, min_count=1, max_count=3" in text


def test_plain_http_is_refused_unless_the_environment_is_development(mocks):
    with pytest.raises(ConfigError) as err:
        RealtimeTier("bridge", dict(NET))  # a library user's default environment is production
    assert "certificate_arn is empty" in str(err.value)
    assert "environment='development'" in str(err.value)


def test_the_network_ids_are_required(mocks):
    with pytest.raises(ConfigError) as err:
        RealtimeTier("bridge", {"certificate_arn": CERT})
    assert "vpc_id, private_subnet_ids, public_subnet_ids are required" in str(err.value)


def test_a_bad_cpu_memory_pair_lists_the_valid_ones(mocks):
    with pytest.raises(ConfigError) as err:
        RealtimeTier("bridge", {**NET, "certificate_arn": CERT, "cpu": 2048, "memory_mb": 2048})
    text = str(err.value)
    assert "memory_mb=2048 is not a size Fargate offers with cpu=2048" in text
    assert "memory_mb=" + ", ".join(str(m) for m in range(4096, 16385, 1024)) in text


@pulumi.runtime.test
def test_an_internal_load_balancer_needs_no_public_subnets(mocks):
    net = {k: v for k, v in NET.items() if k != "public_subnet_ids"}
    tier = RealtimeTier("bridge", {**net, "certificate_arn": CERT, "internal": True})

    def check(_):
        alb = mocks.created["bridge-alb"]
        assert alb["internal"] is True and alb["subnets"] == ["subnet-p1", "subnet-p2"]
    return done(tier).apply(check)


@pulumi.runtime.test
def test_a_prebuilt_ecr_image_is_pulled_not_built_with_pull_rights_on_its_repository(mocks):
    image = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/bridge:1.4.2"
    tier = RealtimeTier("bridge", {**NET, "certificate_arn": CERT, "image_uri": image})

    def check(_):
        assert "bridge-repository" not in mocks.created and "bridge-image" not in mocks.created
        assert containers(mocks)["bridge"]["image"] == image
        stmts = {s["Sid"]: s for s in policy_statements(mocks.created["bridge-execution-role-policy"]["policy"])}
        assert stmts["PullBridgeImage"]["Resource"] == ["arn:aws:ecr:eu-west-1:210987654321:repository/team/bridge"]
    return done(tier).apply(check)


@pulumi.runtime.test
def test_an_image_from_another_registry_gets_no_ecr_rights_at_all(mocks):
    tier = RealtimeTier("bridge", {**NET, "certificate_arn": CERT, "image_uri": "ghcr.io/team/bridge:1.4.2"})

    def check(_):
        stmts = policy_statements(mocks.created["bridge-execution-role-policy"]["policy"])
        assert not [a for s in stmts for a in s["Action"] if a.startswith("ecr:")]
        assert all("*" not in s["Resource"] for s in stmts)
    return done(tier).apply(check)


@pulumi.runtime.test
def test_existing_secrets_are_used_as_given_and_are_all_the_role_may_read(mocks):
    jwt = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/jwt-AbC123"
    cert = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/iot-cert-XyZ789"
    tier = RealtimeTier("bridge", {**NET, "certificate_arn": CERT, "jwt_secret_arn": jwt,
                                   "iot_certificate_secret_arn": cert})

    def check(_):
        assert not [n for n, t in mocks.types.items() if t.startswith("aws:secretsmanager/")]
        assert "bridge-iot-certificate" not in mocks.created
        assert "bridge-iot-policy" in mocks.created  # for the operator to attach to their certificate
        secrets = {s["name"]: s["valueFrom"] for s in containers(mocks)["bridge"]["secrets"]}
        assert secrets == {"BRIDGE_JWT_SECRET": jwt, "MQTT_CLIENT_CERT_PEM": f"{cert}:certificate_pem::",
                           "MQTT_CLIENT_KEY_PEM": f"{cert}:private_key::"}
        stmts = {s["Sid"]: s for s in policy_statements(mocks.created["bridge-execution-role-policy"]["policy"])}
        assert sorted(stmts["ReadTierSecrets"]["Resource"]) == sorted([jwt, cert])
    return done(tier).apply(check)


@pulumi.runtime.test
def test_an_external_broker_from_another_resource_opens_exactly_its_port(mocks):
    url = pulumi.Output.from_input("mqtt://10.0.3.7:1883")  # e.g. the heavy tier's broker output
    tier = RealtimeTier("bridge", {**NET, "certificate_arn": CERT, "broker": "external", "broker_url": url})

    def check(values):
        env = {e["name"]: e["value"] for e in containers(mocks)["bridge"]["environment"]}
        assert env["MQTT_BROKER_URL"] == "mqtt://10.0.3.7:1883"
        rule = mocks.created["bridge-tasks-sg-out-broker"]
        assert (rule["fromPort"], rule["toPort"], rule["ipProtocol"]) == (1883, 1883, "tcp")
        assert values[-1] == "mqtt://10.0.3.7:1883"
    return pulumi.Output.all(tier.service.id, tier.broker_url).apply(check)


@pulumi.runtime.test
def test_topic_filters_scope_the_iot_permissions(mocks):
    tier = RealtimeTier("bridge", {**NET, "certificate_arn": CERT,
                                   "topic_filters": ["plant-7/+/telemetry"], "alert_filters": ["plant-7/alerts/#"]})

    def check(_):
        stmts = {s["Sid"]: s for s in policy_statements(mocks.created["bridge-task-role-policy"]["policy"])}
        base = "arn:aws:iot:eu-west-1:123456789012"
        assert stmts["SubscribeToDashboardTopics"]["Resource"] == [
            f"{base}:topicfilter/plant-7/*/telemetry", f"{base}:topicfilter/plant-7/alerts/*"]
        assert stmts["ReceiveDashboardTopics"]["Resource"] == [
            f"{base}:topic/plant-7/*/telemetry", f"{base}:topic/plant-7/alerts/*"]
        assert stmts["ConnectAsTheBridge"]["Resource"] == [f"{base}:client/team-test-bridge-*"]
    return done(tier).apply(check)


@pulumi.runtime.test
def test_overriding_the_telemetry_filters_keeps_dashboard_alerts(mocks):
    tier = RealtimeTier("bridge", {**NET, "certificate_arn": CERT, "topic_filters": ["plant-7/+/telemetry"]})

    def check(_):
        stmts = {s["Sid"]: s for s in policy_statements(mocks.created["bridge-task-role-policy"]["policy"])}
        assert stmts["ReceiveDashboardTopics"]["Resource"] == [
            "arn:aws:iot:eu-west-1:123456789012:topic/plant-7/*/telemetry",
            "arn:aws:iot:eu-west-1:123456789012:topic/alerts/*"]
    return done(tier).apply(check)


@pulumi.runtime.test
def test_transform_and_tags_reach_the_children(mocks):
    tier = RealtimeTier("bridge", {**NET, "certificate_arn": CERT, "tags": {"team": "sensors"},
                                   "transform": {"service": lambda a: {**a, "enable_execute_command": True}}})

    def check(values):
        execute, tags = values[0], values[1]
        assert execute is True
        assert tags["team"] == "sensors" and tags["workload:connections"] == "persistent"
        assert mocks.created["bridge-alb"]["tags"]["team"] == "sensors"
    return pulumi.Output.all(tier.service.enable_execute_command, tier.service.tags, tier.scaling_cpu.id).apply(check)


def test_an_unknown_argument_is_refused_not_ignored(mocks):
    with pytest.raises(ConfigError) as err:
        RealtimeTier("bridge", {**NET, "certificate_arn": CERT, "memory": 2048})
    assert "unknown argument 'memory'" in str(err.value)
