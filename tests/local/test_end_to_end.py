"""``tiers local`` end to end, as a user runs it: a subprocess, its output, its dashboard feed."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import boto3
import pytest
from websockets.sync.client import connect

from iot_tiers.local.processes import pid_exists

pytestmark = pytest.mark.slow


def test_readings_reach_table_and_websocket_rejects_have_reasons_alerts_fire_and_nothing_is_left(local_run):
    run = local_run("--duration", "7", "--devices", "3", "--rate", "4", "--bad-share", "0.3",
                    "--hot-share", "0.25", "--seed", "7", "--json-summary")
    token = run.wait_for(r"^dashboard: (\S+) token: (\S+)$").group(2)
    bridge = run.wait_for(r"^bridge: (ws://\S+)$").group(1)
    moto = run.wait_for(r"^  aws +moto (http://\S+) ").group(1)
    table = run.wait_for(r"table (\S+),").group(1)

    frames = []
    with connect(f"{bridge}?token={token}", open_timeout=10) as ws:
        ws.send(json.dumps({"action": "subscribe", "topics": ["devices/+/telemetry", "alerts/#"]}))
        assert json.loads(ws.recv(timeout=10))["type"] == "subscribed"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            frame = json.loads(ws.recv(timeout=10))
            frames.append(frame)
            if any(f["topic"].startswith("alerts/") for f in frames) and len(frames) > 20:
                break
        # The table, seen from outside while the run is live.
        ddb = boto3.client("dynamodb", endpoint_url=moto, region_name="us-east-1",
                           aws_access_key_id="t", aws_secret_access_key="t")
        items = ddb.scan(TableName=table)["Items"]

    telemetry = [f for f in frames if f["topic"].startswith("devices/")]
    alerts = [f for f in frames if f["topic"].startswith("alerts/")]
    assert {f["topic"].split("/")[1] for f in telemetry} <= {"sim-001", "sim-002", "sim-003"}
    assert len(telemetry) >= 10
    assert alerts and all(a["payload"]["temperature"] > 80 for a in alerts)
    assert alerts[0]["topic"] == f"alerts/{alerts[0]['payload']['deviceId']}"
    readings = [i for i in items if i["sk"]["S"].startswith("TS#")]
    assert readings and all(i["pk"]["S"].startswith("DEVICE#sim-") for i in readings)
    assert all(-40 <= float(i["temperature"]["N"]) <= 125 for i in readings)

    assert run.finish() == 0, run.stderr
    s = run.summary()
    assert s["balanced"] and s["exitCode"] == 0
    assert s["published"] == s["written"] + s["rejected"]["total"] + s["inFlight"]["total"]
    assert s["inFlight"]["unaccounted"] == 0 and s["mismatched"] == []
    assert s["written"] == s["byKind"]["normal"] + s["byKind"]["hot"]
    assert s["rejected"]["total"] == s["byKind"]["out-of-range"] + s["byKind"]["malformed"] + s["byKind"]["not-json"]
    reasons = s["rejected"]["byReason"]
    assert sum(v for k, v in reasons.items() if k.startswith("out-of-range")) == s["byKind"]["out-of-range"] > 0
    assert reasons.get("rule: not JSON", 0) == s["byKind"]["not-json"]
    assert s["alerts"]["expected"] == s["byKind"]["hot"] == s["alerts"]["published"] == s["alerts"]["relayed"] > 0
    human = "\n".join(run.lines)
    assert re.search(r"\d+ written \+ \d+ rejected \+ \d+ in flight = \d+ of \d+ published: adds up", human)

    for process in s["processes"]:
        assert not pid_exists(process["pid"]), f"{process['name']} (pid {process['pid']}) is still running"
    assert not Path(s["workdir"]).exists()


def test_ctrl_c_stops_cleanly_with_a_summary(local_run):
    run = local_run("--devices", "2", "--rate", "2", "--json-summary")
    run.wait_for(r"^\[ +\d+s\] devices 2 ")
    time.sleep(2)
    run.interrupt()
    assert run.finish(timeout=40) == 0, run.stderr
    s = run.summary()
    assert s["published"] > 0 and s["balanced"] and s["inFlight"]["unaccounted"] == 0
    assert any(line.startswith("summary: ") for line in run.lines)
    for process in s["processes"]:
        assert not pid_exists(process["pid"])
    assert not Path(s["workdir"]).exists()


def test_bad_options_exit_2_naming_the_flag_and_what_is_allowed(local_run):
    run = local_run("--devices", "0", "--bad-share", "1.5")
    assert run.finish(timeout=30) == 2
    assert "--devices 0: allowed 1 to 10000" in run.stderr
    assert "--bad-share 1.5: allowed a share from 0 to 1" in run.stderr


def test_a_program_directory_without_a_stack_is_a_clear_error(local_run, tmp_path):
    run = local_run("--program", str(tmp_path), "--duration", "1")
    assert run.finish(timeout=30) == 2
    assert "cannot read stack 'dev'" in run.stderr and str(tmp_path) in run.stderr


def test_a_process_dying_mid_run_is_reported_with_its_log_and_everything_else_stops(local_run):
    run = local_run("--devices", "2", "--rate", "2", "--json-summary")
    handler_pid = int(run.wait_for(r"^  handler .*\(pid (\d+)\)").group(1))
    run.wait_for(r"^\[ +\d+s\] devices 2 ")
    os.kill(handler_pid, signal.SIGKILL)
    assert run.finish(timeout=40) == 1
    s = run.summary()
    assert s["exitCode"] == 1 and s["failure"].startswith(f"handler (pid {handler_pid}) exited with status -9")
    assert s["balanced"]  # what the dead handler left on the queue is in flight, not lost
    for process in s["processes"]:
        assert not pid_exists(process["pid"])
    assert not Path(s["workdir"]).exists()
