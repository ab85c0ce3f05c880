"""HeavyComputeTier settings: role presets, instance types, and the errors bad values get.

Pure checks of the settings table (no Pulumi program runs here): what a library
user passing arguments and a stack file setting keys are told.
"""

from __future__ import annotations

import pytest

from iot_tiers.components.config import ConfigError, load_stack_settings
from iot_tiers.components.config.heavy import ROLE_SETTINGS, resolve_heavy, role_args
from iot_tiers.components.heavy_roles import (ARM64, PRESETS, X86_64, ami_parameter, instance_architecture,
                                    is_instance_type)


def problems(role: str, **given) -> str:
    with pytest.raises(ConfigError) as err:
        resolve_heavy(role, given)
    return str(err.value)


def stack_problems(values: dict) -> str:
    with pytest.raises(ConfigError) as err:
        load_stack_settings("dev", values)
    return str(err.value)


# ------------------------------------------------------------ instance types


@pytest.mark.parametrize("instance_type, arch", [
    ("t4g.small", ARM64), ("m7g.large", ARM64), ("c6gn.xlarge", ARM64), ("r8gd.2xlarge", ARM64),
    ("im4gn.large", ARM64), ("g5g.xlarge", ARM64), ("a1.medium", ARM64), ("hpc7g.4xlarge", ARM64),
    ("t3.medium", X86_64), ("m7i.large", X86_64), ("m7i-flex.large", X86_64), ("g5.xlarge", X86_64),
    ("g4dn.xlarge", X86_64), ("p5.48xlarge", X86_64), ("inf2.xlarge", X86_64), ("c7a.large", X86_64),
])
def test_instance_architecture_reads_graviton_from_the_family_suffix(instance_type, arch):
    assert instance_architecture(instance_type) == arch


def test_instance_type_shape_is_checked():
    assert is_instance_type("t4g.small") and is_instance_type("u-6tb1.metal")
    assert not is_instance_type("t4g") and not is_instance_type("T4G.SMALL") and not is_instance_type("")


def test_ami_parameters_are_the_public_al2023_and_gpu_ami_paths():
    assert ami_parameter(ARM64, False) == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    assert ami_parameter(X86_64, False) == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    assert ami_parameter(X86_64, True) == (
        "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id")


def test_presets_are_architecture_consistent_graviton_for_cpu_x86_for_gpu():
    for p in PRESETS.values():
        assert {instance_architecture(t) for t in p.instance_types} == {p.architecture}, p.name
    assert PRESETS["inference"].architecture == X86_64 and PRESETS["timeseries"].architecture == ARM64


# ------------------------------------------------------------ defaults


def test_defaults_resolve_to_the_role_presets():
    ts = resolve_heavy("timeseries", {})
    assert ts["instance_types"] == ["t4g.small"] and ts["data_volume_gb"] == 20 and ts["spot"] is False
    assert ts["engine"] == "influxdb" and ts["metadata_hop_limit"] == 1
    inf = resolve_heavy("inference", {})
    assert inf["instance_types"] == ["g5.xlarge", "g6.xlarge", "g4dn.xlarge"]
    assert inf["spot"] is True and inf["on_demand_base"] == 0  # dev: spot only
    assert resolve_heavy("broker", {})["engine"] == "mosquitto"


def test_stateful_roles_have_no_asg_settings_and_only_the_broker_has_a_load_balancer():
    for role in ("broker", "timeseries"):
        assert "on_demand_base" not in role_args(role) and "max_size" not in role_args(role)
    assert "load_balancer" in role_args("broker")
    assert all("load_balancer" not in role_args(r) for r in ("timeseries", "inference", "batch"))


def test_stack_keys_are_per_role():
    keys = {s.key for rows in ROLE_SETTINGS.values() for s in rows}
    assert {"heavyBrokerInstanceTypes", "heavyTimeseriesDataVolumeGb", "heavyInferenceOnDemandBase",
            "heavyBatchImage", "heavyBrokerCertificateArn"} <= keys


# ------------------------------------------------------------ GPU


def test_gpu_instance_families_are_accepted_for_inference():
    a = resolve_heavy("inference", {"instance_types": ["g6.xlarge", "g5.2xlarge"]})
    assert a["instance_types"] == ["g6.xlarge", "g5.2xlarge"]
    # Graviton + NVIDIA (G5g) with the arm64 GPU AMI.
    assert resolve_heavy("inference", {"instance_types": ["g5g.xlarge", "g5g.2xlarge"],
                                       "architecture": "arm64"})["architecture"] == "arm64"


@pytest.mark.parametrize("role, types, arch", [
    ("broker", ["g5.xlarge"], "x86_64"),
    ("timeseries", ["g4dn.xlarge"], "x86_64"),
    ("batch", ["g5.xlarge", "g6.xlarge"], "x86_64"),
    ("batch", ["inf2.xlarge", "c7i.large"], "x86_64"),
])
def test_gpu_instance_families_are_refused_where_the_role_cannot_use_them(role, types, arch):
    text = problems(role, instance_types=types, architecture=arch)
    assert "carry a GPU/accelerator, which the " + role + " role cannot use" in text
    assert "belong to the inference role" in text


def test_inference_refuses_a_mix_of_gpu_and_cpu_types():
    text = problems("inference", instance_types=["g5.xlarge", "c7i.xlarge"])
    assert "mixes GPU types ['g5.xlarge'] with non-GPU types ['c7i.xlarge']" in text


def test_gpu_refusal_reaches_a_stack_file_with_the_config_key():
    text = stack_problems({"iot-tiers:heavyTimeseriesInstanceTypes": '["g5.xlarge"]',
                           "iot-tiers:heavyTimeseriesArchitecture": "x86_64"})
    assert "stack 'dev'" in text and "iot-tiers:heavyTimeseriesInstanceTypes=['g5.xlarge']" in text
    assert "GPU" in text


# ------------------------------------------------------------ spot and the stateful roles


@pytest.mark.parametrize("role", ["broker", "timeseries"])
def test_spot_is_refused_for_stateful_roles(role):
    text = problems(role, spot=True)
    assert f"spot=True is refused for the stateful role '{role}'" in text
    assert "detaches its data volume" in text


def test_spot_refusal_names_the_stack_key():
    text = stack_problems({"iot-tiers:heavyBrokerSpot": "true"})
    assert "iot-tiers:heavyBrokerSpot=True is refused for the stateful role 'broker'" in text


def test_stateful_roles_refuse_asg_arguments_with_the_reason():
    text = problems("timeseries", on_demand_base=1)
    assert "on_demand_base does not apply to the timeseries role (stateful: one on-demand instance)" in text
    assert "it applies to: inference, batch" in text


def test_a_stateful_role_takes_exactly_one_instance_type():
    text = problems("timeseries", instance_types=["m7g.large", "m6g.large"])
    assert "runs exactly one instance" in text


# ------------------------------------------------------------ architecture and sizes


def test_instance_types_must_match_the_ami_architecture():
    text = problems("timeseries", instance_types=["m7i.large"])
    assert "['m7i.large'] are x86_64, but architecture='arm64' selects an arm64 AMI" in text
    # Said the other way round, it is fine.
    assert resolve_heavy("timeseries", {"instance_types": ["m7i.large"], "architecture": "x86_64"})
    text = problems("batch", instance_types=["c7g.large", "c7i.large"])
    assert "['c7i.large'] are x86_64" in text


@pytest.mark.parametrize("role, arg, value", [
    ("timeseries", "data_volume_gb", 0),
    ("broker", "data_volume_gb", 16385),
    ("inference", "data_volume_gb", -1),
    ("batch", "root_volume_gb", 4),
    ("inference", "root_volume_gb", 20000),
])
def test_volume_sizes_out_of_range_are_refused(role, arg, value):
    text = problems(role, **{arg: value}, **({"image": "x/y:1"} if role == "batch" else {}))
    assert f"{arg}={value!r} is not allowed: a whole number of GiB from" in text


def test_asg_sizes_and_base_capacity_must_be_consistent():
    assert "min_size <= desired_capacity <= max_size" in problems("inference", min_size=3, max_size=2)
    assert "on_demand_base=5 exceeds max_size=2" in problems("inference", on_demand_base=5)
    assert "spot needs at least two instance types" in problems("inference", instance_types=["g5.xlarge"])
    # On-demand only with one type is fine.
    assert resolve_heavy("inference", {"instance_types": ["g5.xlarge"], "spot": False})["spot"] is False


def test_allowed_cidrs_must_be_ipv4_cidrs():
    assert "allowed_cidrs=['10.0.0.0/33'] is not allowed" in problems("broker", allowed_cidrs=["10.0.0.0/33"])
    assert resolve_heavy("broker", {"allowed_cidrs": ["0.0.0.0/0"]})["allowed_cidrs"] == ["0.0.0.0/0"]


def test_engine_must_be_one_the_role_runs():
    assert "engine='influxdb' is not allowed: one of: mosquitto, emqx" in problems("broker", engine="influxdb")


def test_batch_needs_an_image_only_when_a_batch_tier_is_created():
    assert "give the container image that runs your jobs (stack config key iot-tiers:heavyBatchImage)" in \
        problems("batch")
    load_stack_settings("dev", {})  # the table itself is fine without one


def test_unknown_role_is_refused_with_the_list():
    assert "role='gpu' is not allowed: one of broker, timeseries, inference, batch" in problems("gpu")


# ------------------------------------------------------------ stack-wide rules


def test_heavy_roles_must_be_known_and_distinct():
    text = stack_problems({"iot-tiers:heavyRoles": '["timeseries", "database"]'})
    assert "iot-tiers:heavyRoles" in text and "distinct roles from: broker, timeseries, inference, batch" in text
    assert "distinct" in stack_problems({"iot-tiers:heavyRoles": '["broker", "broker"]'})


def test_broker_certificate_needs_the_load_balancer():
    text = problems("broker", certificate_arn="arn:aws:acm:us-east-1:246813579024:certificate/3f1c9a4e-8b2d-4c6e-9f01-2a7b5c3d4e6f")
    assert "certificate_arn is set but load_balancer=False" in text


def test_production_refuses_a_plain_mqtt_load_balancer():
    base = {"iot-tiers:environment": "production", "iot-tiers:heavyRoles": '["broker"]',
            "iot-tiers:heavyBrokerLoadBalancer": "true",
            "iot-tiers:realtimeCertificateArn": "arn:aws:acm:us-east-1:246813579024:certificate/3f1c9a4e-8b2d-4c6e-9f01-2a7b5c3d4e6f"}
    text = stack_problems(base)
    assert "heavyBrokerLoadBalancer=true without iot-tiers:heavyBrokerCertificateArn is refused in production" in text
    ok = load_stack_settings("prod", {**base, "iot-tiers:heavyBrokerCertificateArn":
                                      "arn:aws:acm:us-east-1:246813579024:certificate/3f1c9a4e-8b2d-4c6e-9f01-2a7b5c3d4e6f"})
    assert ok["heavyBroker"]["load_balancer"] is True
    # Development may use plain 1883.
    dev = load_stack_settings("dev", {k: v for k, v in base.items() if k != "iot-tiers:environment"})
    assert dev["heavyBroker"]["certificate_arn"] == ""


def test_access_logs_need_the_tls_listener():
    text = problems("broker", load_balancer=True, access_logs_bucket="example-elb-logs")
    assert "access_logs_bucket is set without certificate_arn" in text
