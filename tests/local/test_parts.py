"""Small parts of the local stack: processes, the broker, tokens, the status line."""

from __future__ import annotations

import io
import time

import jwt
import pytest

from iot_tiers.local import broker as broker_module
from iot_tiers.local.bridge import mint_token
from iot_tiers.local.broker import (
    MissingProgram,
    config_text,
    find_mosquitto,
    start_broker,
)
from iot_tiers.local.processes import (
    StartError,
    Workdir,
    free_port,
    pid_exists,
    port_open,
    start,
)
from iot_tiers.local.status import Snapshot, StatusWriter, bridge_clients


def test_a_missing_mosquitto_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(broker_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(broker_module, "FALLBACK_PATHS", ("/nonexistent/mosquitto",))
    with pytest.raises(MissingProgram, match=r"Debian package 'mosquitto': sudo apt-get install mosquitto"):
        find_mosquitto()


def test_the_broker_listens_on_loopback_only_and_keeps_nothing_on_disk():
    text = config_text(1883)
    assert "listener 1883 127.0.0.1" in text and "persistence false" in text


@pytest.mark.slow
def test_stopping_a_child_stops_what_it_spawned_too():
    workdir = Workdir()
    try:
        pid_file = workdir.file("grandchild.pid")
        child = start("shell", ["sh", "-c", f"sleep 60 & echo $! > {pid_file}; wait"], workdir,
                      ready=pid_file.exists, timeout=10)
        time.sleep(0.1)
        grandchild = int(pid_file.read_text())
        assert pid_exists(grandchild)
        child.stop(timeout=2)
        assert not pid_exists(child.pid) and not pid_exists(grandchild)
    finally:
        workdir.remove()
    assert not workdir.path.exists()


@pytest.mark.slow
def test_a_child_that_dies_while_starting_raises_with_the_end_of_its_log():
    workdir = Workdir()
    try:
        with pytest.raises(StartError, match=r"(?s)boom exited with status 3.*it went wrong"):
            start("boom", ["sh", "-c", "echo it went wrong; exit 3"], workdir, ready=lambda: False)
    finally:
        workdir.remove()


@pytest.mark.slow
def test_mosquitto_starts_on_a_free_port_and_stops():
    workdir = Workdir()
    try:
        broker = start_broker(workdir)
        assert port_open(broker.port)
        broker.child.stop()
        assert not port_open(broker.port) and not pid_exists(broker.child.pid)
    finally:
        workdir.remove()


def test_the_dashboard_token_carries_topics_and_expiry():
    token = mint_token("a-secret-long-enough-for-hs256-32b", ["devices/+/telemetry", "alerts/#"], ttl_s=60)
    claims = jwt.decode(token, "a-secret-long-enough-for-hs256-32b", algorithms=["HS256"])
    assert claims["topics"] == ["devices/+/telemetry", "alerts/#"]
    assert time.time() + 50 < claims["exp"] <= time.time() + 61


def _snapshot(published: int) -> Snapshot:
    return Snapshot(elapsed_s=3, devices=2, rate=2.0, published=published, written=1, rejects=0, alerts=0,
                    in_flight=1, ws_clients=None)


def test_without_a_tty_the_status_is_a_plain_line_every_interval():
    out = io.StringIO()
    writer = StatusWriter(out, tty=False, interval=60)
    writer.show(_snapshot(1))
    writer.show(_snapshot(2))  # within the interval: not printed
    writer.show(_snapshot(3), force=True)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue()
    assert "published 1 |" in lines[0] and "published 3 |" in lines[1] and "ws clients ?" in lines[0]


def test_on_a_tty_the_status_line_is_rewritten_in_place():
    out = io.StringIO()
    writer = StatusWriter(out, tty=True)
    writer.show(_snapshot(1))
    writer.show(_snapshot(2))
    writer.print("done")
    assert out.getvalue().count("\r\x1b[2K") == 2 and out.getvalue().endswith("published 2 | written 1 | "
                                                                              "rejects 0 | alerts 0 | in flight 1 | "
                                                                              "ws clients ?\ndone\n")


def test_bridge_clients_is_unknown_when_the_bridge_does_not_answer():
    assert bridge_clients(f"http://127.0.0.1:{free_port()}/health", timeout=0.2) is None
