"""The bridge's broker link against a real Mosquitto: mutual TLS, restarts, persistent session."""

from __future__ import annotations

import json
import ssl
import subprocess

import pytest
from websockets.asyncio.client import connect

from .bridge_support import (
    Mosquitto,
    Publisher,
    async_wait_for,
    free_port,
    make_tls_material,
    make_token,
    run,
    wait_for,
)
from .test_bridge_e2e import TELEMETRY, auth, recv_data, request

pytestmark = pytest.mark.slow


def test_mutual_tls_broker_delivers_through_the_bridge(tmp_path, start_bridge):
    tls = make_tls_material(tmp_path)
    broker = Mosquitto(tmp_path)
    broker.listeners = {
        broker.port: [
            f"cafile {tls['ca']}",
            f"certfile {tls['server_cert']}",
            f"keyfile {tls['server_key']}",
            "require_certificate true",
            "tls_version tlsv1.2",
        ]
    }
    broker.start()
    try:
        bridge = start_bridge(
            {
                "MQTT_BROKER_URL": f"mqtts://localhost:{broker.port}",
                "MQTT_CA_FILE": str(tls["ca"]),
                "MQTT_CERT_FILE": str(tls["client_cert"]),
                "MQTT_KEY_FILE": str(tls["client_key"]),
            }
        )
        device_tls = ssl.create_default_context(cafile=str(tls["ca"]))
        device_tls.load_cert_chain(str(tls["client_cert"]), str(tls["client_key"]))

        async def scenario():
            async with connect(bridge.url, **auth(make_token([TELEMETRY]))) as ws:
                await request(ws, "subscribe", [TELEMETRY])
                async with Publisher(broker.port, ssl=device_tls) as pub:
                    pub.publish("devices/d9/telemetry", {"secure": True})
                    assert await recv_data(ws) == {"topic": "devices/d9/telemetry", "payload": {"secure": True}}

        run(scenario())
    finally:
        broker.stop()


def test_bridge_without_client_certificate_is_refused_by_mutual_tls_broker(tmp_path, start_bridge):
    tls = make_tls_material(tmp_path)
    broker = Mosquitto(tmp_path)
    broker.listeners = {
        broker.port: [
            f"cafile {tls['ca']}",
            f"certfile {tls['server_cert']}",
            f"keyfile {tls['server_key']}",
            "require_certificate true",
        ]
    }
    broker.start()
    try:
        bridge = start_bridge(
            {"MQTT_BROKER_URL": f"mqtts://localhost:{broker.port}", "MQTT_CA_FILE": str(tls["ca"])}, wait_broker=False
        )
        wait_for(lambda: bridge.logs().count("cannot connect") >= 2, 15, "two refused attempts")
        health = bridge.health()
        assert health["broker_connected"] is False and health["broker_connects"] == 0
    finally:
        broker.stop()


def test_first_connect_is_retried_until_the_broker_appears(tmp_path, start_bridge):
    broker = Mosquitto(tmp_path)
    bridge = start_bridge({"MQTT_BROKER_URL": f"mqtt://127.0.0.1:{broker.port}"}, wait_broker=False)
    wait_for(lambda: "cannot connect" in bridge.logs(), 10, "a failed first attempt")
    broker.start()
    try:
        wait_for(lambda: bridge.health()["broker_connected"], 10, "the bridge to connect")
    finally:
        broker.stop()


def test_broker_restart_resubscribes_and_delivers_qos1_published_during_outage(tmp_path, start_bridge):
    """The bridge's session survives a broker restart; what was queued for it arrives.

    The outage is made deterministic with two listeners: the bridge's port and a side port
    for the device. While the bridge's port is closed (broker restarted with the side port
    only) QoS 1 messages are published; the broker queues them in the bridge's persistent
    session and saves them on shutdown; when the bridge's port is back, the bridge resumes
    the session and receives them, then live traffic flows again.
    """
    bridge_port, device_port = free_port(), free_port()
    broker = Mosquitto(tmp_path, listeners={bridge_port: [], device_port: []}, persistence=True).start()
    try:
        bridge = start_bridge({"MQTT_BROKER_URL": f"mqtt://127.0.0.1:{bridge_port}"})

        async def scenario():
            async with connect(bridge.url, **auth(make_token([TELEMETRY]))) as ws:
                await request(ws, "subscribe", [TELEMETRY])
                async with Publisher(device_port) as pub:
                    pub.publish("devices/d1/telemetry", {"n": 1})
                    assert (await recv_data(ws))["payload"] == {"n": 1}

                broker.stop()
                await async_wait_for(lambda: not bridge.health()["broker_connected"], 10, "bridge offline")
                broker.start(ports=[device_port])  # the bridge cannot get in
                for n in (2, 3, 4):  # mosquitto_pub -q 1 returns once the broker acknowledged
                    subprocess.run(
                        [
                            "mosquitto_pub",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            str(device_port),
                            "-q",
                            "1",
                            "-t",
                            "devices/d1/telemetry",
                            "-m",
                            json.dumps({"n": n}),
                        ],
                        check=True,
                        timeout=10,
                    )
                broker.stop()  # saves the queued messages with the session
                assert not bridge.health()["broker_connected"]

                broker.start()  # both listeners again
                got = [(await recv_data(ws, timeout=15))["payload"]["n"] for _ in range(3)]
                assert got == [2, 3, 4]
                async with Publisher(device_port) as pub:
                    pub.publish("devices/d1/telemetry", {"n": 5})
                    assert (await recv_data(ws))["payload"] == {"n": 5}
            health = bridge.health()
            assert health["broker_connects"] == 2
            assert health["upstream_filters"] == []

        run(scenario(), timeout=60)
        assert "session present: True" in bridge.logs()
    finally:
        broker.stop()


def test_new_process_discards_a_session_left_by_an_earlier_one(mosquitto, start_bridge):
    env = {
        "MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}",
        "BRIDGE_CLIENT_ID": "reused-id",
        "BRIDGE_BASE_FILTERS": "sentinel/#",
    }
    first = start_bridge(env)

    async def subscribe_then_crash():
        async with connect(first.url, **auth(make_token([TELEMETRY]))) as ws:
            await request(ws, "subscribe", [TELEMETRY])
            first.proc.kill()  # no DISCONNECT: the session and its subscriptions stay on the broker
            first.proc.wait(5)

    run(subscribe_then_crash())
    second = start_bridge(env)
    assert "discarding a session left by an earlier process" in second.logs()

    async def publish():
        async with Publisher(mosquitto.port) as pub:
            pub.publish("devices/d1/telemetry", "nobody asked for this")
            pub.publish("sentinel/x", "marker")

    run(publish())
    wait_for(lambda: second.health()["messages_received"] >= 1, 5, "the sentinel")
    assert second.health()["messages_received"] == 1, "the old session's subscription leaked into the new process"
