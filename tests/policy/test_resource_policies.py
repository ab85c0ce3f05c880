"""Per-resource policy behaviour through ``Analyze``: unknowns, config, metadata.

Each security policy's passing and failing fixture is in security_fixtures.py (test_security_fixtures.py)."""

from __future__ import annotations

import pytest

from iot_tiers.offline.analyzer import UNKNOWN

from .conftest import res, urn
from .security_fixtures import container, function, listener, sg_rule, task

TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
FUNCTION = "aws:lambda/function:Function"
LISTENER = "aws:lb/listener:Listener"

#: Settings that merely name or point at a secret, or are not secret at all (issue 14, no false alarms).
REFERENCES = {
    "TOKEN_TTL_SECONDS": "3600",
    "TOKEN_ISSUER": "https://auth.example.com/realms/iot",
    "JWT_SECRET_NAME": "iot-tiers/prod/bridge-jwt",
    "JWT_SECRET_ID": "realtime-jwt-secret-d31d8ad",
    "JWT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:realtime-jwt-secret-d31d8ad-399811",
    "API_KEY_PARAMETER": "/iot/prod/api-key",
    "PASSWORD_MIN_LENGTH": "12",
    "TOKEN_REFRESH": "15m",
    "AUTH_MODE": "jwt",
    "TOKEN_ALGORITHM": "HS256",
    "CREDENTIALS_PROVIDER": "container",
    "MQTT_BROKER_URL": "mqtts://broker.example.com:8883",
    "SECRET_TOPIC_FILTER": "devices/+/telemetry",
}
#: Values that are credentials whatever the variable is called.
CREDENTIALS = {
    "SETTING_A": "AKIAIOSFODNN7EXAMPLE",
    "SETTING_B": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "SETTING_C": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    "SETTING_D": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXZpY2UtNDIifQ.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "SETTING_E": "postgres://app:s3cr3tpw@db.internal:5432/app",
    "SETTING_F": "q8Zr2Lk9Xv4Tn7Wm1Pb6Yc3Hd5Js0GfRt",
    "DB_PASSWORD": "Hunter2-and-more",
}


def _flagged(pack, typ, props, policy):
    return [d for d in pack.analyze(res(typ, "r", props)) if d.policy == policy]


def test_lambda_environment_references_and_settings_are_no_secret(default_config):
    props = function(environment={"variables": REFERENCES}).props
    assert _flagged(default_config, FUNCTION, props, "security-lambda-no-secrets-in-environment") == []


@pytest.mark.parametrize("name", sorted(CREDENTIALS))
def test_lambda_environment_credential_is_found_by_its_value(default_config, name):
    props = function(environment={"variables": {name: CREDENTIALS[name]}}).props
    [d] = _flagged(default_config, FUNCTION, props, "security-lambda-no-secrets-in-environment")
    assert f"environment variable {name} holds" in d.message


def test_ecs_environment_secret_arn_is_a_reference_and_an_access_key_is_not(default_config):
    env = [{"name": k, "value": v} for k, v in REFERENCES.items()]
    ok = task(containers=[container(environment=env)]).props
    assert _flagged(default_config, TASKDEF, ok, "security-ecs-no-secrets-in-environment") == []
    bad = task(containers=[container(environment=[*env, {"name": "X", "value": CREDENTIALS["SETTING_A"]}])]).props
    [d] = _flagged(default_config, TASKDEF, bad, "security-ecs-no-secrets-in-environment")
    assert "an AWS access key id in plain environment variable X" in d.message


@pytest.mark.parametrize("policy_name", [
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10"])
def test_every_tls12_and_tls13_only_policy_passes_fips_and_pq_included(default_config, policy_name):
    assert _flagged(default_config, LISTENER, listener(sslPolicy=policy_name).props, "security-lb-tls12-policy") == []


def test_old_tls_policy_is_weak_and_an_unknown_name_is_reported_as_unknown(default_config):
    [weak] = _flagged(default_config, LISTENER, listener(sslPolicy="ELBSecurityPolicy-TLS13-1-0-2021-06").props,
                      "security-lb-tls12-policy")
    assert "allows TLS older than 1.2" in weak.message
    [default] = _flagged(default_config, LISTENER, listener(sslPolicy=None).props, "security-lb-tls12-policy")
    assert "ELBSecurityPolicy-2016-08 (the default when sslPolicy is unset)" in default.message
    [unknown] = _flagged(default_config, LISTENER, listener(sslPolicy="ELBSecurityPolicy-Made-Up-2030-01").props,
                         "security-lb-tls12-policy")
    assert "TLS versions it allows are unknown" in unknown.message and "older than 1.2" not in unknown.message


@pytest.mark.parametrize("protocol,lo,hi,said", [
    ("icmp", -1, -1, "all ICMP"), ("-1", -1, -1, "all traffic (every protocol and port)"),
    ("tcp", 22, 22, "TCP port 22"), ("udp", 1000, 2000, "UDP ports 1000-2000"), ("icmp", 8, -1, "ICMP type 8"),
    ("tcp", 0, 65535, "all TCP ports")])
def test_open_ingress_messages_say_the_traffic_as_a_person_would(default_config, protocol, lo, hi, said):
    r = sg_rule("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "r", "0.0.0.0/0", protocol, lo, hi)
    [d] = _flagged(default_config, r.type, r.props, "security-ec2-no-open-ingress")
    assert f"on {said};" in d.message and "-1--1" not in d.message


def test_unknown_security_input_is_the_standard_cant_run_advisory(default_config):
    diags = default_config.analyze(res(TASKDEF, "td", {"containerDefinitions": UNKNOWN}))
    privileged = [d for d in diags if d.policy == "security-ecs-no-privileged-containers"]
    assert len(privileged) == 1 and privileged[0].level == "advisory"
    assert "can't run policy" in privileged[0].message and privileged[0].urn == urn(TASKDEF, "td")


def test_policy_config_changes_level_and_settings(pack):
    try:
        pack.configure({"security-logs-retention": {"enforcementLevel": "advisory", "minRetentionDays": 30}})
        diags = pack.analyze(res("aws:cloudwatch/logGroup:LogGroup", "short", {"retentionInDays": 7}))
        [d] = [d for d in diags if d.policy == "security-logs-retention"]
        assert d.level == "advisory" and "at least 30" in d.message
        pack.configure({"security-logs-retention": "disabled"})
        diags = pack.analyze(res("aws:cloudwatch/logGroup:LogGroup", "none", {}))
        assert [d for d in diags if d.policy == "security-logs-retention"] == []
    finally:
        pack.configure({})


def test_every_policy_has_concern_prefix_severity_description_and_remediation(pack):
    assert len(pack.info.policies) >= 37
    for p in pack.info.policies:
        assert p.name.split("-", 1)[0] in ("placement", "security", "reliability", "cost", "aws", "environment"), p.name
        assert p.description, p.name
        if not p.name.startswith("cost-"):  # cost policies are another module's owner's to pin
            assert p.severity and p.remediation, p.name
    security = [p for p in pack.info.policies if p.name.startswith("security-")]
    assert len(security) >= 30
