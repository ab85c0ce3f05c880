"""A placeholder certificate ARN is a config error that says what to set (issue 15, item 4).

Prod's stack file used to carry ``arn:aws:acm:us-east-1:123456789012:certificate/0000...``: the
right shape, so it passed the format check, and AWS refused it only at ``pulumi up``. The
documentation accounts are the ones AWS's own guides use in examples (components/config/arns.py).
"""

from __future__ import annotations

import pytest
import yaml

from iot_tiers.components.config import ConfigError, load_stack_settings, resolve_tier
from iot_tiers.offline.harness import ProgramError, run_stack

from support import REPO_ROOT, TEST_CERTIFICATE_ARN

KEY = "iot-tiers:realtimeCertificateArn"
ZERO_ID = "00000000-0000-0000-0000-000000000000"
REAL_ID = "3f1c9a4e-8b2d-4c6e-9f01-2a7b5c3d4e6f"


def arn(account: str, cert: str = REAL_ID, region: str = "us-east-1") -> str:
    return f"arn:aws:acm:{region}:{account}:certificate/{cert}"


def refused(stack: str, values: dict) -> str:
    with pytest.raises(ConfigError) as err:
        load_stack_settings(stack, values)
    return str(err.value)


@pytest.mark.parametrize("value,why", [
    (arn("123456789012", ZERO_ID), "its account 123456789012 is an example account of AWS's documentation and its "
                                   f"certificate id {ZERO_ID} is all zeros"),
    (arn("000000000000"), "its account 000000000000 is all zeros"),
    (arn("246813579024", ZERO_ID), f"its certificate id {ZERO_ID} is all zeros"),
    (arn("111122223333"), "its account 111122223333 is an example account of AWS's documentation"),
    (arn("444455556666", region="eu-west-1"), "its account 444455556666 is an example account"),
    (arn("012345678901"), "its account 012345678901 is an example account"),
    (arn("123456789012"), "its account 123456789012 is an example account"),
])
def test_a_placeholder_certificate_is_refused_naming_the_key_why_and_the_command(value, why):
    text = refused("prod", {"iot-tiers:environment": "production", KEY: value})
    assert "invalid configuration for stack 'prod'" in text
    assert f"{KEY}={value!r} is not allowed: it is a placeholder, not a certificate: {why}" in text
    assert f"`pulumi config set {KEY} <arn> --stack prod`" in text


def test_the_command_names_the_stack_being_loaded():
    text = refused("staging", {KEY: arn("111122223333")})
    assert "--stack staging`" in text and "<stack>" not in text


@pytest.mark.parametrize("value", [TEST_CERTIFICATE_ARN, arn("210987654321", region="eu-central-1"),
                                   "arn:aws-us-gov:acm:us-gov-west-1:246813579024:certificate/" + REAL_ID])
def test_a_real_shaped_certificate_is_accepted(value):
    settings = load_stack_settings("prod", {"iot-tiers:environment": "production", KEY: value})
    assert settings["realtime"]["certificate_arn"] == value


def test_a_library_user_gets_the_same_refusal_for_the_tier_argument():
    with pytest.raises(ConfigError) as err:
        resolve_tier("realtime", {"certificate_arn": arn("123456789012", ZERO_ID)})
    assert "realtime: certificate_arn=" in str(err.value) and "it is a placeholder, not a certificate" in str(err.value)


def test_the_mqtt_load_balancers_certificate_is_checked_the_same_way():
    text = refused("prod", {"iot-tiers:heavyRoles": '["broker"]', "iot-tiers:heavyBrokerLoadBalancer": "true",
                            "iot-tiers:heavyBrokerCertificateArn": arn("000000000000", ZERO_ID)})
    assert "iot-tiers:heavyBrokerCertificateArn=" in text and "it is a placeholder, not a certificate" in text
    assert "`pulumi config set iot-tiers:heavyBrokerCertificateArn <arn> --stack prod`" in text


def test_a_missing_certificate_in_production_is_refused_with_the_command():
    text = refused("prod", {"iot-tiers:environment": "production"})
    assert f"{KEY} is empty, so the dashboard load balancer would serve plain HTTP" in text
    assert f"`pulumi config set {KEY} <arn> --stack prod`" in text


def test_prod_carries_no_placeholder_and_previews_once_a_certificate_is_given():
    stack_file = yaml.safe_load((REPO_ROOT / "Pulumi.prod.yaml").read_text())["config"]
    assert KEY not in stack_file
    with pytest.raises(ProgramError) as err:
        run_stack(REPO_ROOT, "prod")
    assert err.value.config_error and f"{KEY} is empty" in str(err.value)
    capture = run_stack(REPO_ROOT, "prod", extra_config={KEY: TEST_CERTIFICATE_ARN})
    https = [r for r in capture.by_type("aws:lb/listener:Listener") if r.inputs["port"] == 443]
    assert [r.inputs["certificateArn"] for r in https] == [TEST_CERTIFICATE_ARN]
