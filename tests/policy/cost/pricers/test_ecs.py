"""ECS pricer: Fargate by OS and architecture, auto-scaling minimum, Spot share."""

from __future__ import annotations

import pytest

from .pricer_support import priced, resource, usd, view

SERVICE, TD, TARGET = "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", "aws:appautoscaling/target:Target"


def service(td_props, **props):
    return [view(TD, "td", td_props),
            view(SERVICE, "svc", {"launchType": "FARGATE", **props}, deps={"taskDefinition": [(TD, "td")]})]


def test_linux_x86_and_arm64_tasks_pay_their_own_rates():
    """0.5 vCPU / 1 GB: x86 730 x (0.5 x $0.04048 + $0.004445) = $18.02005; arm64 730 x (0.5 x $0.03238
    + $0.00356) = $14.4175."""
    x86 = resource(priced(*service({"cpu": "512", "memory": "1024"})), "svc")
    arm = resource(priced(*service({"cpu": "512", "memory": "1024", "runtimePlatform": {"cpuArchitecture": "ARM64"}})),
                   "svc")
    assert usd(x86.items) == pytest.approx(18.02005)
    assert usd(arm.items) == pytest.approx(14.4175)


def test_a_windows_task_pays_the_windows_rates_and_its_license():
    """1 vCPU / 2 GB Windows: 730 x ($0.09148 + 2 x $0.01005 + $0.046) = $115.0334."""
    svc = resource(priced(*service({"cpu": "1024", "memory": "2048", "runtimePlatform": {
        "operatingSystemFamily": "WINDOWS_SERVER_2022_CORE", "cpuArchitecture": "X86_64"}})), "svc")
    assert usd(svc.items) == pytest.approx(115.0334)
    assert svc.drivers["os"] == "windows"


def test_a_windows_task_on_arm64_is_unpriced_because_fargate_refuses_it():
    svc = resource(priced(*service({"cpu": "1024", "memory": "2048", "runtimePlatform": {
        "operatingSystemFamily": "WINDOWS_SERVER_2019_FULL", "cpuArchitecture": "ARM64"}})), "svc")
    assert svc.status == "unpriced" and "Windows tasks on x86_64 only" in svc.reason


def test_a_service_runs_at_least_its_scaling_minimum_and_notes_the_maximum():
    """desiredCount 1, minCapacity 2: 2 x $18.02005 = $36.0401; maxCapacity 4 noted at $72.08."""
    views = service({"cpu": "512", "memory": "1024"}, desiredCount=1) + [
        view(TARGET, "target", {"scalableDimension": "ecs:service:DesiredCount", "minCapacity": 2, "maxCapacity": 4},
             deps={"resourceId": [(SERVICE, "svc")]})]
    svc = resource(priced(*views), "svc")
    assert usd(svc.items) == pytest.approx(36.0401)
    assert "auto-scales to 4: up to $72.08" in svc.items[0].note


def test_a_fargate_spot_share_takes_the_typical_discount():
    """Weights 1 FARGATE / 3 FARGATE_SPOT: 75% of $18.02005 at 70% off: $18.02005 x (1 - 0.525) = $8.5595."""
    svc = resource(priced(*service({"cpu": "512", "memory": "1024"}, launchType=None, capacityProviderStrategies=[
        {"capacityProvider": "FARGATE", "weight": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 3}])), "svc")
    assert usd(svc.items) == pytest.approx(18.02005 * (1 - 0.75 * 0.7))


def test_an_ecs_service_on_ec2_capacity_is_priced_on_its_instances():
    svc = resource(priced(*service({"cpu": "512"}, launchType="EC2")), "svc")
    assert svc.status == "free" and "priced there" in svc.reason


def test_garbage_task_sizes_make_the_service_unpriced():
    svc = resource(priced(*service({"cpu": "half", "memory": "1024"})), "svc")
    assert svc.status == "unpriced" and "cpu='half' is not a number" in svc.reason
