"""The bridge starts as Fargate runs it: uid 10001, a read-only root, the certificate in the environment.

ECS passes the IoT client certificate and key as environment values (the task definition's
``secrets``); the container has a read-only root file system and runs as 10001, so there is
no directory the bridge could write them to. These tests start the real bridge that way
against a Mosquitto whose TLS listener requires a client certificate, and check that a
reading reaches a dashboard, that nothing was written, and that bad PEM text is refused at
start-up with the variable's name.
"""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from .bridge_support import (
    IMAGE_UID,
    BridgeProcess,
    Mosquitto,
    Publisher,
    files_open_for_writing,
    make_tls_material,
    make_token,
    memory_files,
    process_uid,
    read_only_root_as,
    run,
)
from .test_bridge_e2e import TELEMETRY, auth, recv_data, request

pytestmark = pytest.mark.slow


@pytest.fixture
def tls_broker(tmp_path):
    """A Mosquitto on a TLS listener that refuses clients without a certificate from the test CA."""
    tls = make_tls_material(tmp_path)
    broker = Mosquitto(tmp_path)
    broker.listeners = {broker.port: [
        f"cafile {tls['ca']}", f"certfile {tls['server_cert']}", f"keyfile {tls['server_key']}",
        "require_certificate true", "tls_version tlsv1.2"]}
    broker.start()
    yield broker, tls
    broker.stop()


@pytest.fixture
def unwritable_dir():
    """A root-owned 0755 folder holding a copy of nothing but what the bridge reads (the CA).

    pytest's tmp_path sits under a 0700 folder the bridge's user cannot enter, so the CA it
    must read goes here; the bridge's working directory, TMPDIR and HOME point here too.
    """
    path = Path(tempfile.mkdtemp(prefix="bridge-ro-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def pem_env(tls: dict[str, Path]) -> dict[str, str]:
    return {"MQTT_CLIENT_CERT_PEM": tls["client_cert"].read_text(),
            "MQTT_CLIENT_KEY_PEM": tls["client_key"].read_text()}


def test_bridge_as_uid_10001_on_a_read_only_root_delivers_over_mutual_tls_from_pem_variables(
        tls_broker, unwritable_dir, start_bridge):
    assert os.geteuid() == 0, "this test starts the bridge in a mount namespace as uid 10001: run it as root"
    broker, tls = tls_broker
    ca = unwritable_dir / "ca.pem"
    shutil.copy(tls["ca"], ca)
    ca.chmod(0o644)
    bridge = start_bridge(
        {"MQTT_BROKER_URL": f"mqtts://localhost:{broker.port}", "MQTT_CA_FILE": str(ca), **pem_env(tls),
         "TMPDIR": str(unwritable_dir), "HOME": str(unwritable_dir), "PYTHONDONTWRITEBYTECODE": "1"},
        wrap=read_only_root_as(IMAGE_UID), cwd=unwritable_dir)

    pid = bridge.proc.pid
    assert process_uid(pid) == IMAGE_UID
    # The certificate went through memory files, closed once loaded; nothing is open for
    # writing but the stdout/stderr the test handed over.
    assert memory_files(pid) == []
    assert set(files_open_for_writing(pid)) <= {1, 2}

    device_tls = ssl.create_default_context(cafile=str(tls["ca"]))
    device_tls.load_cert_chain(str(tls["client_cert"]), str(tls["client_key"]))

    async def scenario():
        async with connect(bridge.url, **auth(make_token([TELEMETRY]))) as ws:
            await request(ws, "subscribe", [TELEMETRY])
            async with Publisher(broker.port, ssl=device_tls) as pub:
                pub.publish("devices/d7/telemetry", {"t": 19.25})
                assert await recv_data(ws) == {"topic": "devices/d7/telemetry", "payload": {"t": 19.25}}

    run(scenario())
    assert list(unwritable_dir.iterdir()) == [ca]


@pytest.mark.parametrize("variable, break_it", [
    ("MQTT_CLIENT_CERT_PEM", lambda pem: pem.replace("CERTIFICATE-----\n", "CERTIFICATE-----\n!!", 1)),
    ("MQTT_CLIENT_KEY_PEM", lambda pem: pem[: len(pem) // 2]),
])
def test_a_malformed_pem_stops_the_bridge_at_start_up_naming_the_variable(variable, break_it, tls_broker, tmp_path):
    broker, tls = tls_broker
    env = {"MQTT_BROKER_URL": f"mqtts://localhost:{broker.port}", "MQTT_CA_FILE": str(tls["ca"]), **pem_env(tls)}
    env[variable] = break_it(env[variable])
    bridge = BridgeProcess(tmp_path, env)
    assert bridge.proc.wait(30) == 2
    err = bridge.logs()
    assert f"configuration error: {variable} is not a PEM" in err, err
    key_body = tls["client_key"].read_text().splitlines()[1]
    assert key_body[:32] not in err  # the message gives the reason, never the secret's text
