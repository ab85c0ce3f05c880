"""Fixtures for the bridge tests: a real Mosquitto and the bridge as a real subprocess."""

from __future__ import annotations

import pytest

from .bridge_support import BridgeProcess, Mosquitto


@pytest.fixture
def mosquitto(tmp_path):
    """A plain-TCP Mosquitto on a free loopback port, stopped after the test."""
    broker = Mosquitto(tmp_path).start()
    yield broker
    broker.stop()


@pytest.fixture
def start_bridge(tmp_path):
    """Factory: ``start_bridge(env)`` runs ``python -m iot_tiers_runtime.bridge``; all are stopped afterwards."""
    started: list[BridgeProcess] = []

    def factory(env: dict[str, str], wait_broker: bool = True, **process) -> BridgeProcess:
        bridge = BridgeProcess(tmp_path, env, **process)
        started.append(bridge)
        return bridge.wait_ready(broker=wait_broker)

    yield factory
    for bridge in started:
        if bridge.proc.poll() is None:
            bridge.proc.kill()
            bridge.proc.wait(5)


@pytest.fixture
def bridge(mosquitto, start_bridge):
    """A bridge connected to the ``mosquitto`` fixture."""
    return start_bridge({"MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}"})
