"""End to end: device publish -> Mosquitto -> bridge subprocess -> WebSocket dashboards."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from .bridge_support import Publisher, async_wait_for, make_token, run, wait_for

pytestmark = pytest.mark.slow

TELEMETRY = "devices/+/telemetry"


def auth(token: str) -> dict:
    return {"additional_headers": {"Authorization": f"Bearer {token}"}}


async def request(ws, action: str, topics: list[str], **extra) -> list[dict]:
    """Send a subscribe/unsubscribe and collect the reply frames (one per kind)."""
    await ws.send(json.dumps({"action": action, "topics": topics, **extra}))
    return [json.loads(await asyncio.wait_for(ws.recv(), 5))]


async def recv_json(ws, timeout: float = 5) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_data(ws, timeout: float = 5) -> dict:
    """Next data frame (skipping nothing: control frames here would be a test bug)."""
    frame = await recv_json(ws, timeout)
    assert "type" not in frame, frame
    return frame


def test_publish_reaches_subscribed_dashboard_as_json(bridge, mosquitto):
    async def scenario():
        async with connect(bridge.url, **auth(make_token([TELEMETRY]))) as ws:
            assert await request(ws, "subscribe", [TELEMETRY], id=1) == [
                {"type": "subscribed", "topics": [TELEMETRY], "id": 1}
            ]
            async with Publisher(mosquitto.port) as pub:
                pub.publish("devices/d1/telemetry", {"t": 21.5})
                pub.publish("devices/d2/telemetry", "not json")
                pub.publish("devices/d3/telemetry", b"\xff\x00")
                assert await recv_data(ws) == {"topic": "devices/d1/telemetry", "payload": {"t": 21.5}}
                assert await recv_data(ws) == {"topic": "devices/d2/telemetry", "payload": "not json"}
                assert await recv_data(ws) == {"topic": "devices/d3/telemetry", "payload": "/wA=", "encoding": "base64"}

    run(scenario())
    health = bridge.health()
    assert health["messages_delivered"] == 3


def test_wildcard_filters_deliver_only_matching_topics(bridge, mosquitto):
    async def scenario():
        token = make_token(["site/#"])
        async with connect(bridge.url, **auth(token)) as plus, connect(bridge.url, **auth(token)) as hash_:
            await request(plus, "subscribe", ["site/+/temp"])
            await request(hash_, "subscribe", ["site/a/#"])
            async with Publisher(mosquitto.port) as pub:
                for topic in ["site/a/temp", "site/a/b/temp", "site/a", "site/b/temp", "other/a/temp", "site/end"]:
                    pub.publish(topic, topic)
                # '+' is one level; '#' includes the parent level ('site/a') and every level below.
                got_plus = [(await recv_data(plus))["topic"] for _ in range(2)]
                got_hash = [(await recv_data(hash_))["topic"] for _ in range(3)]
        assert got_plus == ["site/a/temp", "site/b/temp"]
        assert got_hash == ["site/a/temp", "site/a/b/temp", "site/a"]

    run(scenario())


def test_health_reports_json_state(bridge):
    status, body = bridge.health_response()
    assert status == 200
    assert body["status"] == "ok"
    assert body["broker_connected"] is True
    assert body["clients"] == 0
    assert body["upstream_filters"] == []
    assert body["uptime_s"] >= 0


def test_health_stays_200_while_broker_is_down(mosquitto, start_bridge):
    bridge = start_bridge({"MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}"})
    mosquitto.stop()
    wait_for(lambda: not bridge.health()["broker_connected"], 15, "bridge to notice the broker is gone")
    status, body = bridge.health_response()
    assert status == 200 and body["status"] == "ok" and body["broker_disconnected_s"] >= 0


def test_health_turns_503_after_broker_grace_when_configured(tmp_path, start_bridge):
    bridge = start_bridge(
        {"MQTT_BROKER_URL": "mqtt://127.0.0.1:9", "BRIDGE_HEALTH_BROKER_GRACE_S": "0.3"}, wait_broker=False
    )
    status, body = wait_for(lambda: (r := bridge.health_response())[0] == 503 and r, 10, "503")
    assert body["status"] == "broker_unavailable" and body["broker_connected"] is False


@pytest.mark.parametrize(
    "request_for, reason",
    [
        (lambda: ({}, "/"), "missing token"),
        (lambda: ({"Authorization": "Bearer not-a-jwt"}, "/"), "invalid token"),
        (lambda: ({"Authorization": "Basic dXNlcjpwYXNz"}, "/"), "Bearer"),
        (lambda: ({}, "/?token=" + make_token([TELEMETRY], secret="some-other-secret-of-enough-length!!")),
         "invalid token"),
        (lambda: ({"Authorization": "Bearer " + make_token([TELEMETRY], exp_in=-60)}, "/"), "token expired"),
        (lambda: ({"Authorization": "Bearer " + make_token(["bad/#/filter"])}, "/"), "claim 'topics'"),
    ],
    ids=["no-token", "garbage", "basic-auth", "wrong-key", "expired", "invalid-claim"],
)
def test_bad_tokens_get_401_before_upgrade(bridge, request_for, reason):
    # Tokens are made when the test runs, not when it is collected: a valid-for-300-s token
    # minted at collection has expired by the time a long suite reaches this test.
    headers, path = request_for()

    async def scenario():
        with pytest.raises(InvalidStatus) as info:
            async with connect(bridge.url.rstrip("/") + path, additional_headers=headers):
                pass
        response = info.value.response
        assert response.status_code == 401
        assert reason in response.body.decode()

    run(scenario())
    assert bridge.health()["clients"] == 0


def test_token_in_query_string_is_accepted(bridge):
    async def scenario():
        async with connect(f"{bridge.url}?token={make_token([TELEMETRY])}") as ws:
            assert (await request(ws, "subscribe", [TELEMETRY]))[0]["type"] == "subscribed"

    run(scenario())


def test_filters_outside_the_tenant_claim_are_refused_and_get_no_data(bridge, mosquitto):
    async def scenario():
        async with connect(bridge.url, **auth(make_token(["tenants/t1/#"]))) as ws:
            await ws.send(
                json.dumps({"action": "subscribe", "topics": ["tenants/t1/devices/+/telemetry", "tenants/t2/#", "#"]})
            )
            assert await recv_json(ws) == {"type": "subscribed", "topics": ["tenants/t1/devices/+/telemetry"]}
            error = await recv_json(ws)
            assert error["type"] == "error" and error["error"] == "forbidden"
            assert error["topics"] == ["tenants/t2/#", "#"]
            async with Publisher(mosquitto.port) as pub:
                pub.publish("tenants/t2/devices/x/telemetry", "secret")
                pub.publish("tenants/t1/devices/d/telemetry", "mine")
                assert (await recv_data(ws))["payload"] == "mine"
        assert bridge.health()["upstream_filters"] in ([], ["tenants/t1/devices/+/telemetry"])

    run(scenario())


def test_malformed_frames_get_error_replies_and_the_connection_survives(bridge):
    async def scenario():
        async with connect(bridge.url, **auth(make_token([TELEMETRY]))) as ws:
            for frame, fragment in [
                ("not json", "not valid JSON"),
                ("[1, 2]", "JSON object"),
                ('{"action": "publish", "topics": ["a"]}', "unknown action"),
                ('{"action": "subscribe", "topics": "devices/+/telemetry"}', "'topics' must be a list"),
                ('{"action": "subscribe", "topics": ["devices/#/x"]}', "'#' must be the whole last level"),
                (b"\x00\x01", "binary frames"),
            ]:
                await ws.send(frame)
                reply = await recv_json(ws)
                assert reply["type"] == "error" and reply["error"] == "bad_request", reply
                assert fragment in reply["message"]
            assert (await request(ws, "subscribe", [TELEMETRY]))[0]["type"] == "subscribed"

    run(scenario())


def test_oversize_client_frame_closes_with_1009(bridge):
    async def scenario():
        async with connect(bridge.url, **auth(make_token([TELEMETRY]))) as ws:
            await ws.send(json.dumps({"action": "subscribe", "topics": ["x" * 5000]}))
            with pytest.raises(ConnectionClosed) as info:
                await asyncio.wait_for(ws.recv(), 5)
            assert info.value.rcvd.code == 1009

    run(scenario())


def test_token_expiry_closes_an_open_connection_with_1008(mosquitto, start_bridge):
    # Expiry is checked on every keepalive round, so a short ping interval makes it prompt.
    bridge = start_bridge({"MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}", "BRIDGE_PING_INTERVAL_S": "0.2"})

    async def scenario():
        async with connect(bridge.url, **auth(make_token([TELEMETRY], exp_in=1.5))) as ws:
            with pytest.raises(ConnectionClosed) as info:
                await asyncio.wait_for(ws.recv(), 5)
            assert info.value.rcvd.code == 1008 and info.value.rcvd.reason == "token expired"

    run(scenario())


def test_upstream_subscriptions_follow_clients_by_reference_count(bridge, mosquitto):
    async def scenario():
        token = make_token(["devices/#"])
        async with connect(bridge.url, **auth(token)) as broad:
            async with connect(bridge.url, **auth(token)) as narrow, connect(bridge.url, **auth(token)) as narrow2:
                await request(broad, "subscribe", [TELEMETRY])
                await request(narrow, "subscribe", ["devices/d1/telemetry"])
                await request(narrow2, "subscribe", ["devices/d1/telemetry"])
                # The narrow filter is covered by the broad one: not subscribed twice upstream,
                # so the broad client receives each message once.
                assert bridge.health()["upstream_filters"] == [TELEMETRY]
                assert bridge.health()["client_filters"] == 2
                async with Publisher(mosquitto.port) as pub:
                    pub.publish("devices/d1/telemetry", 1)
                    pub.publish("devices/d2/telemetry", 2)
                    assert [(await recv_data(broad))["payload"] for _ in range(2)] == [1, 2]
                    assert (await recv_data(narrow))["payload"] == 1
                    await request(broad, "unsubscribe", [TELEMETRY])
                    await async_wait_for(
                        lambda: bridge.health()["upstream_filters"] == ["devices/d1/telemetry"], 5, "narrow upstream"
                    )
                    pub.publish("devices/d1/telemetry", 3)
                    assert (await recv_data(narrow))["payload"] == 3
                    assert (await recv_data(narrow2))["payload"] == 1
                    assert (await recv_data(narrow2))["payload"] == 3
            # narrow and narrow2 left: the last holder of devices/d1/telemetry is gone.
            await async_wait_for(lambda: bridge.health()["upstream_filters"] == [], 5, "no upstream filters")
            assert bridge.health()["clients"] == 1

    run(scenario())


def test_base_filters_are_subscribed_without_clients(mosquitto, start_bridge):
    bridge = start_bridge(
        {"MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}", "BRIDGE_BASE_FILTERS": "alerts/#, devices/+/status"}
    )
    assert bridge.health()["upstream_filters"] == ["alerts/#", "devices/+/status"]


def test_stalled_client_is_dropped_without_delaying_others(mosquitto, start_bridge):
    bridge = start_bridge(
        {
            "MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}",
            "BRIDGE_CLIENT_QUEUE_BYTES": "16384",
            "BRIDGE_CLOSE_TIMEOUT_S": "5",
        }
    )
    payload = "x" * 8000

    async def scenario():
        token = make_token([TELEMETRY])
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", bridge.port))
        # max_queue=1: once one frame is unread, the client stops reading its socket (stalls).
        async with (
            connect(bridge.url, sock=sock, max_queue=1, **auth(token)) as stalled,
            connect(bridge.url, **auth(token)) as healthy,
        ):
            await request(stalled, "subscribe", [TELEMETRY])
            await request(healthy, "subscribe", [TELEMETRY])
            async with Publisher(mosquitto.port) as pub:
                sent = 0
                for _ in range(60):
                    for _ in range(20):
                        pub.publish("devices/d1/telemetry", payload, qos=0)
                        sent += 1
                    for _ in range(20):  # the healthy client keeps up, batch by batch
                        assert len((await recv_data(healthy))["payload"]) == 8000
                    if bridge.health()["dropped_slow_clients"]:
                        break
                assert bridge.health()["dropped_slow_clients"] == 1, "stalled client never dropped"
                assert bridge.health()["clients"] <= 2
            # Reading again, the stalled client drains its backlog and finds the close code.
            with pytest.raises(ConnectionClosed) as info:
                while True:
                    await asyncio.wait_for(stalled.recv(), 10)
            assert info.value.rcvd is not None and info.value.rcvd.code == 1013
            assert sent < 1200

    run(scenario())
    assert bridge.health()["messages_delivered"] >= 20


def test_sigterm_drains_then_closes_clients_with_1001_and_exits_0(mosquitto, start_bridge):
    bridge = start_bridge(
        {
            "MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}",
            "BRIDGE_DRAIN_S": "1.5",
            "BRIDGE_SERVICE_NAME": "svc-under-test",
        }
    )

    async def scenario():
        token = make_token([TELEMETRY])
        async with connect(bridge.url, **auth(token)) as a, connect(bridge.url, **auth(token)) as b:
            await request(a, "subscribe", [TELEMETRY])
            await request(b, "subscribe", [TELEMETRY])
            bridge.proc.send_signal(15)
            await async_wait_for(lambda: "shutting down" in bridge.logs(), 5, "shutdown to start")
            async with Publisher(mosquitto.port) as pub:  # still delivered during the drain
                pub.publish("devices/d1/telemetry", "during drain")
                assert (await recv_data(a))["payload"] == "during drain"
                assert (await recv_data(b))["payload"] == "during drain"
            started = time.monotonic()
            for ws in (a, b):
                with pytest.raises(ConnectionClosed) as info:
                    await asyncio.wait_for(ws.recv(), 10)
                assert info.value.rcvd.code == 1001
            assert time.monotonic() - started < 5

    run(scenario())
    assert bridge.proc.wait(15) == 0
    emf = [json.loads(line) for line in bridge.stdout_lines() if line.startswith('{"_aws"')]
    assert emf, "no EMF line at shutdown"
    last = emf[-1]
    assert last["ServiceName"] == "svc-under-test"
    assert last["MessagesDelivered"] >= 2


def test_emf_metric_lines_report_active_connections(mosquitto, start_bridge):
    bridge = start_bridge(
        {
            "MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}",
            "BRIDGE_METRIC_INTERVAL_S": "0.2",
            "BRIDGE_SERVICE_NAME": "rt-svc",
            "BRIDGE_METRIC_NAMESPACE": "Test/Bridge",
        }
    )

    def emf_lines():
        return [json.loads(line) for line in bridge.stdout_lines() if line.startswith("{")]

    async def scenario():
        token = make_token([TELEMETRY])
        async with connect(bridge.url, **auth(token)), connect(bridge.url, **auth(token)):
            line = await async_wait_for(
                lambda: next((d for d in reversed(emf_lines()) if d["ActiveConnections"] == 2), None), 5, "EMF"
            )
        directive = line["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == "Test/Bridge"
        assert directive["Dimensions"] == [["ServiceName"]]
        names = {m["Name"] for m in directive["Metrics"]}
        assert {"ActiveConnections", "DroppedSlowClients", "MessagesDelivered"} <= names
        assert line["ServiceName"] == "rt-svc"
        assert isinstance(line["_aws"]["Timestamp"], int)

    run(scenario())
    assert all(line.startswith('{"_aws"') for line in bridge.stdout_lines()), "stdout must carry only EMF"


def test_keepalive_pings_keep_answering_clients_and_close_silent_ones_with_1011(mosquitto, start_bridge):
    bridge = start_bridge({"MQTT_BROKER_URL": f"mqtt://127.0.0.1:{mosquitto.port}", "BRIDGE_PING_INTERVAL_S": "0.3"})
    token = make_token([TELEMETRY])
    silent = socket.create_connection(("127.0.0.1", bridge.port))
    silent.sendall(
        (
            f"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    assert silent.recv(4096).startswith(b"HTTP/1.1 101")

    async def scenario():
        async with connect(bridge.url, **auth(token)) as live:  # the client library answers pings
            await async_wait_for(lambda: bridge.health()["clients"] == 1, 5, "the silent client to be closed")
            await asyncio.sleep(1.0)  # several more ping rounds
            assert (await request(live, "subscribe", [TELEMETRY]))[0]["type"] == "subscribed"

    run(scenario())
    silent.settimeout(5)
    data, opcodes = b"", []
    while 8 not in opcodes:  # read server frames (unmasked, short) until the close frame
        chunk = silent.recv(4096)
        assert chunk, f"connection ended without a close frame (frames: {opcodes})"
        data += chunk
        while len(data) >= 2 and len(data) >= 2 + (data[1] & 0x7F):
            opcode, length = data[0] & 0x0F, data[1] & 0x7F
            payload, data = data[2 : 2 + length], data[2 + length :]
            opcodes.append(opcode)
            if opcode == 8:
                assert int.from_bytes(payload[:2], "big") == 1011
                break
    assert 9 in opcodes, "the silent client was pinged before being closed"
    silent.close()
