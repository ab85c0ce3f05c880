"""The realtime tier's settings: bad stack config stops the program with a message naming the keys."""

from __future__ import annotations

import json

import pytest

from iot_tiers.components.config import ConfigError, load_stack_settings
from iot_tiers.offline.harness import ProgramError, run_stack

#: Fargate's task sizes as AWS documents them (CPU units -> MiB), written out here
#: independently of the table in components/config/realtime.py.
FARGATE = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}


def program_error(repo_root, stack: str, **config) -> str:
    with pytest.raises(ProgramError) as err:
        run_stack(repo_root, stack, extra_config=config)
    assert err.value.config_error, str(err.value)
    text = str(err.value)
    assert "Traceback" not in text
    return text


def test_a_sidecar_broker_with_several_tasks_is_refused_naming_the_keys(repo_root):
    text = program_error(repo_root, "dev", realtimeBroker="sidecar", realtimeDesiredCount=2,
                         realtimeMaxCount=3)
    assert "stack 'dev'" in text
    for key in ("iot-tiers:realtimeBroker='sidecar'", "iot-tiers:realtimeDesiredCount=1",
                "iot-tiers:realtimeMinCount=1", "iot-tiers:realtimeMaxCount=1",
                "iot-tiers:realtimeDesiredCount=2", "iot-tiers:realtimeMaxCount=3"):
        assert key in text, key
    assert "different brokers" in text


def test_a_sidecar_broker_with_room_to_scale_out_is_refused_too(repo_root):
    # desired 1 but max 2: autoscaling would start a second broker.
    text = program_error(repo_root, "dev", realtimeBroker="sidecar")
    assert "iot-tiers:realtimeMaxCount=2" in text


@pytest.mark.parametrize("cpu,memory", [(512, 512), (256, 4096), (1024, 1024), (8192, 18432), (16384, 36864)])
def test_a_cpu_memory_pair_fargate_does_not_offer_is_refused_with_the_valid_ones(repo_root, cpu, memory):
    text = program_error(repo_root, "dev", realtimeCpu=cpu, realtimeMemoryMb=memory)
    assert f"iot-tiers:realtimeMemoryMb={memory} is not a size Fargate offers with iot-tiers:realtimeCpu={cpu}" in text
    assert f"iot-tiers:realtimeMemoryMb={', '.join(map(str, FARGATE[cpu]))}" in text


def test_every_pair_fargate_offers_is_accepted_and_no_other():
    for cpu, sizes in FARGATE.items():
        for memory in range(512, 122880 + 1, 512):
            values = {"iot-tiers:realtimeCpu": cpu, "iot-tiers:realtimeMemoryMb": memory}
            if memory in sizes:
                assert load_stack_settings("t", values)["realtime"]["memory_mb"] == memory
            else:
                with pytest.raises(ConfigError):
                    load_stack_settings("t", values)


def test_a_cpu_size_fargate_does_not_have_is_refused_with_the_list(repo_root):
    text = program_error(repo_root, "dev", realtimeCpu=768)
    assert "iot-tiers:realtimeCpu=768 is not allowed" in text
    assert "256, 512, 1024, 2048, 4096, 8192, 16384" in text


def test_plain_http_is_refused_in_production(repo_root):
    text = program_error(repo_root, "prod", realtimeCertificateArn="")
    assert "stack 'prod'" in text
    assert "iot-tiers:realtimeCertificateArn is empty" in text
    assert "iot-tiers:environment=development" in text and "production" in text


def test_plain_http_is_accepted_in_development(repo_root):
    capture = run_stack(repo_root, "dev", extra_config={"realtimeCertificateArn": ""})
    assert capture.outputs["dashboard_url"].startswith("http://")


def test_https_in_development_is_fine_too(repo_root):
    arn = "arn:aws:acm:us-east-1:246813579024:certificate/11111111-2222-3333-4444-555555555555"
    capture = run_stack(repo_root, "dev", extra_config={"realtimeCertificateArn": arn})
    listener = [r for r in capture.by_type("aws:lb/listener:Listener") if r.inputs["port"] == 443]
    assert listener and listener[0].inputs["certificateArn"] == arn


def test_an_idle_timeout_not_above_the_ping_interval_is_refused(repo_root):
    text = program_error(repo_root, "dev", realtimeIdleTimeoutS=30, realtimePingIntervalS=30)
    assert "iot-tiers:realtimeIdleTimeoutS=30 must be longer than iot-tiers:realtimePingIntervalS=30" in text


def test_a_drain_not_below_the_stop_timeout_is_refused(repo_root):
    text = program_error(repo_root, "dev", realtimeDeregistrationDelayS=90, realtimeStopTimeoutS=90)
    assert "iot-tiers:realtimeDeregistrationDelayS=90 must be shorter than iot-tiers:realtimeStopTimeoutS=90" in text


def test_a_stop_timeout_beyond_fargates_limit_is_refused(repo_root):
    text = program_error(repo_root, "dev", realtimeStopTimeoutS=121)
    assert "iot-tiers:realtimeStopTimeoutS=121 is not allowed" in text and "120" in text


def test_scaling_in_faster_than_out_is_refused(repo_root):
    text = program_error(repo_root, "dev", realtimeScaleInCooldownS=60, realtimeScaleOutCooldownS=60)
    assert "iot-tiers:realtimeScaleInCooldownS=60 must be longer than iot-tiers:realtimeScaleOutCooldownS=60" in text


def test_deployment_percentages_that_can_never_replace_a_task_are_refused(repo_root):
    text = program_error(repo_root, "dev", realtimeMinHealthyPercent=100, realtimeMaxPercent=100)
    assert "iot-tiers:realtimeMinHealthyPercent=100 and iot-tiers:realtimeMaxPercent=100" in text
    assert "never progress" in text


def test_an_external_broker_needs_its_url_and_only_it_reads_one(repo_root):
    text = program_error(repo_root, "dev", realtimeBroker="external")
    assert "iot-tiers:realtimeBroker='external' needs iot-tiers:realtimeBrokerUrl=" in text
    text = program_error(repo_root, "dev", realtimeBrokerUrl="mqtt://broker.internal:1883")
    assert "iot-tiers:realtimeBrokerUrl='mqtt://broker.internal:1883' is only read with" in text


def test_an_external_broker_url_reaches_the_bridge_and_opens_its_port(repo_root):
    capture = run_stack(repo_root, "dev", extra_config={
        "realtimeBroker": "external", "realtimeBrokerUrl": "mqtts://broker.example.com:8884"})
    td = capture.one("aws:ecs/taskDefinition:TaskDefinition")
    bridge = json.loads(td.inputs["containerDefinitions"])[0]
    env = {e["name"]: e["value"] for e in bridge["environment"]}
    assert env["MQTT_BROKER_URL"] == "mqtts://broker.example.com:8884"
    assert "MQTT_CERT_FILE" not in env and "entryPoint" not in bridge
    assert [s["name"] for s in bridge["secrets"]] == ["BRIDGE_JWT_SECRET"]
    ports = {r.inputs["fromPort"] for r in capture.by_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
             if r.name.startswith("realtime-tasks-sg")}
    assert ports == {443, 8884}
    assert capture.by_type("aws:iot/certificate:Certificate") == []
    assert capture.by_type("aws:iot/policy:Policy") == []


@pytest.mark.parametrize("key,value,allowed", [
    ("realtimeAllowedCidrs", '["10.0.0.0/33"]', "IPv4 CIDR"),
    ("realtimeTopicFilters", '["devices/#/x"]', "MQTT filters"),
    ("realtimeTopicFilters", "[]", "non-empty"),
    ("realtimeBroker", "mosquitto", "iot-core, external, sidecar"),
    ("realtimeJwtSecretArn", "my-secret", "full secret ARN"),
    ("realtimeCertificateArn", "arn:aws:iam::123456789012:server-certificate/x", "ACM certificate ARN"),
])
def test_malformed_values_are_refused_with_what_is_allowed(repo_root, key, value, allowed):
    text = program_error(repo_root, "dev", **{key: value})
    assert f"iot-tiers:{key}=" in text and allowed in text
