"""Benchmark: the bridge (python -m iot_tiers_runtime.bridge) vs Mosquitto's own WebSocket listener.

Run on demand (not a test):

    .venv/bin/python benchmarks/bridge_bench.py            # full run, a few minutes
    .venv/bin/python benchmarks/bridge_bench.py --quick    # smaller numbers, ~1 minute

One Mosquitto runs with an MQTT listener (devices, and the bridge) and a WebSocket listener
(``protocol websockets``). The same fan-out workload goes to dashboards connected either to
the bridge (JSON frames) or straight to Mosquitto's WebSocket listener (MQTT over WebSocket):

- throughput: a device publishes a burst of QoS 0 messages as fast as it can; N subscribed
  dashboards receive them; delivered frames/s = frames received / (last receipt - first publish);
- latency: a device publishes at a fixed rate so that dashboards receive 5,000 frames/s in
  total; p50/p99 from publish to dashboard receipt (CLOCK_MONOTONIC is system-wide);
- memory: RSS of the server process (bridge, or Mosquitto) with 1k, 5k and 10k idle
  subscribed connections, minus its RSS before: bytes per idle connection.

Dashboards live in separate worker processes (asyncio, ``websockets`` client). The
Mosquitto-side dashboards speak MQTT 3.1.1 over WebSocket with a minimal hand-written client
(CONNECT, SUBSCRIBE, PUBLISH parsing), so both sides use the same WebSocket client code.
Each throughput/latency measurement is repeated; medians are printed. Targets: throughput at
least Mosquitto's, <= 16 KiB per idle connection, p99 <= 20 ms at 5,000 frames/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from iot_tiers.local.processes import free_port, port_open

REPO = Path(__file__).resolve().parents[1]
MOSQUITTO = "/usr/sbin/mosquitto"
SECRET = "bench-secret-bench-secret-bench-secret!"
THROUGHPUT_FILTER = "bench/t/+"
IDLE_FILTER = "bench/idle/+"

# ------------------------------------------------------------------------------------------
# dashboard clients (run inside worker processes)
# ------------------------------------------------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_connect_packet(client_id: str) -> bytes:
    body = struct.pack("!H4sBBH", 4, b"MQTT", 4, 0x02, 0)  # v3.1.1, clean session, no keepalive
    cid = client_id.encode()
    body += struct.pack("!H", len(cid)) + cid
    return b"\x10" + _varint(len(body)) + body


def mqtt_subscribe_packet(filt: str) -> bytes:
    f = filt.encode()
    body = struct.pack("!H", 1) + struct.pack("!H", len(f)) + f + b"\x00"
    return b"\x82" + _varint(len(body)) + body


class MqttStream:
    """Splits a byte stream (WebSocket binary frames) into MQTT packets; yields PUBLISH payloads."""

    def __init__(self) -> None:
        self.buf = b""

    def feed(self, data: bytes) -> list[bytes]:
        self.buf += data
        payloads = []
        while len(self.buf) >= 2:
            mult, length, i = 1, 0, 1
            while True:
                if i >= len(self.buf):
                    return payloads
                byte = self.buf[i]
                length += (byte & 0x7F) * mult
                mult *= 128
                i += 1
                if not byte & 0x80:
                    break
            if len(self.buf) < i + length:
                return payloads
            packet, self.buf = self.buf[: i + length], self.buf[i + length :]
            if packet[0] >> 4 == 3:  # PUBLISH, QoS 0: topic, then payload
                (tlen,) = struct.unpack("!H", packet[i : i + 2])
                payloads.append(packet[i + 2 + tlen :])
        return payloads


async def open_dashboard(target: dict, filt: str, n: int):
    """Connect one dashboard to the target and subscribe; returns (ws, receive_payloads)."""
    from websockets.asyncio.client import connect

    if target["kind"] == "bridge":
        ws = await connect(
            target["url"] + "?token=" + target["token"],
            ping_interval=None,
            max_queue=None,
            compression=None,
            open_timeout=60,
        )
        await ws.send(json.dumps({"action": "subscribe", "topics": [filt]}))
        reply = json.loads(await ws.recv())
        assert reply.get("type") == "subscribed", reply

        async def receive():
            msg = await ws.recv()
            return [msg]

        return ws, receive, lambda raw: json.loads(raw)["payload"]
    ws = await connect(
        target["url"], subprotocols=["mqtt"], ping_interval=None, max_queue=None, compression=None, open_timeout=60
    )
    stream = MqttStream()
    await ws.send(mqtt_connect_packet(f"dash-{os.getpid()}-{n}"))
    await ws.recv()  # CONNACK
    await ws.send(mqtt_subscribe_packet(filt))
    while True:  # SUBACK (and nothing else can arrive before it)
        data = await ws.recv()
        if data[0] >> 4 == 9:
            break

    async def receive():
        return stream.feed(await ws.recv())

    return ws, receive, lambda raw: json.loads(raw)


async def _connect_many(target: dict, filt: str, count: int, start: int, batch: int = 100):
    out = []
    for base in range(0, count, batch):
        out += await asyncio.gather(
            *(open_dashboard(target, filt, start + base + i) for i in range(min(batch, count - base)))
        )
    return out


async def _measure(target: dict, n: int, expect: int, conn, timeout: float, latency: bool):
    dashboards = await _connect_many(target, THROUGHPUT_FILTER, n, 0)
    conn.send(("ready",))
    loop = asyncio.get_running_loop()

    async def consume(dash):
        ws, receive, decode = dash
        got, last, lat = 0, 0, []
        deadline = loop.time() + timeout
        while got < expect:
            try:
                frames = await asyncio.wait_for(receive(), max(0.01, deadline - loop.time()))
            except asyncio.TimeoutError:
                break
            now = time.monotonic_ns()
            for raw in frames:
                got += 1
                last = now
                if latency:
                    lat.append((now - decode(raw)["ts"]) / 1e6)
        return got, last, lat

    results = await asyncio.gather(*(consume(d) for d in dashboards))
    await asyncio.gather(*(d[0].close() for d in dashboards), return_exceptions=True)
    got = sum(r[0] for r in results)
    last = max((r[1] for r in results), default=0)
    lat = [x for r in results for x in r[2]]
    conn.send(("done", got, last, lat))


async def _idle(target: dict, conn):
    dashboards = []
    while True:
        cmd = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        if cmd[0] == "connect":
            try:
                dashboards += await _connect_many(target, IDLE_FILTER, cmd[1], len(dashboards))
                conn.send(("ok", len(dashboards)))
            except Exception as exc:  # report, don't hang the parent
                conn.send(("error", f"{type(exc).__name__}: {exc}", len(dashboards)))
        else:
            await asyncio.gather(*(d[0].close() for d in dashboards), return_exceptions=True)
            conn.send(("closed",))
            return


def worker_main(mode: str, target: dict, conn, *args) -> None:
    raise_fd_limit()
    if mode == "measure":
        asyncio.run(_measure(target, *args[:2], conn, *args[2:]))
    else:
        asyncio.run(_idle(target, conn))


# ------------------------------------------------------------------------------------------
# processes under test
# ------------------------------------------------------------------------------------------


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def wait_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class Servers:
    def __init__(self, workdir: Path):
        self.mqtt_port, self.ws_port, self.bridge_port = free_port(), free_port(), free_port()
        conf = workdir / "mosquitto.conf"
        lines = [
            "allow_anonymous true",
            "set_tcp_nodelay true",
            "max_queued_messages 1000000",
            "max_queued_bytes 0",
            f"listener {self.mqtt_port} 127.0.0.1",
            f"listener {self.ws_port}",
            "protocol websockets",
        ]
        if os.geteuid() == 0:
            lines.insert(0, "user root")
        conf.write_text("\n".join(lines) + "\n")
        self.mosquitto = subprocess.Popen(
            [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_port(self.mqtt_port)
        wait_port(self.ws_port)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(REPO),
            "MQTT_BROKER_URL": f"mqtt://127.0.0.1:{self.mqtt_port}",
            "PORT": str(self.bridge_port),
            "BRIDGE_HOST": "127.0.0.1",
            "BRIDGE_JWT_SECRET": SECRET,
            "BRIDGE_CLIENT_ID": "bench-bridge",
            "BRIDGE_CLIENT_QUEUE_BYTES": str(256 << 20),
            "BRIDGE_METRIC_INTERVAL_S": "3600",
            "BRIDGE_LOG_LEVEL": "WARNING",
        }
        self.bridge = subprocess.Popen(
            [sys.executable, "-m", "iot_tiers_runtime.bridge"], cwd=REPO, env=env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.bridge_port}/health", timeout=1) as r:
                    if json.loads(r.read())["broker_connected"]:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("bridge did not come up")
            time.sleep(0.1)

    def targets(self) -> dict[str, dict]:
        import jwt

        token = jwt.encode({"topics": ["bench/#"], "exp": int(time.time()) + 86400}, SECRET, algorithm="HS256")
        return {
            "bridge": {
                "kind": "bridge",
                "url": f"ws://127.0.0.1:{self.bridge_port}/",
                "token": token,
                "pid": self.bridge.pid,
            },
            "mosquitto-ws": {"kind": "mosquitto", "url": f"ws://127.0.0.1:{self.ws_port}/", "pid": self.mosquitto.pid},
        }

    def stop(self) -> None:
        for proc in (self.bridge, self.mosquitto):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()


# ------------------------------------------------------------------------------------------
# device publisher and the three measurements
# ------------------------------------------------------------------------------------------


async def publish(port: int, count: int, rate: float | None, payload_pad: int) -> int:
    """Publish ``count`` QoS 0 messages (at ``rate``/s, or flat out); returns the first send time."""
    import gmqtt

    client = gmqtt.Client(f"bench-device-{os.getpid()}")
    await client.connect("127.0.0.1", port, keepalive=60)
    pad = "x" * payload_pad
    first = time.monotonic_ns()
    interval = 1 / rate if rate else 0
    next_at = time.monotonic()
    for i in range(count):
        client.publish(f"bench/t/d{i % 10}", json.dumps({"ts": time.monotonic_ns(), "i": i, "pad": pad}), qos=0)
        if rate:
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        elif i % 200 == 199:
            await asyncio.sleep(0)  # let the transport flush
    await asyncio.sleep(0.2)
    await client.disconnect()
    return first


def split(n: int, parts: int) -> list[int]:
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts) if n // parts or i < n % parts]


def run_fanout(
    servers: Servers,
    target: dict,
    clients: int,
    count: int,
    rate: float | None,
    workers: int,
    latency: bool,
    pad: int,
    timeout: float,
) -> dict:
    ctx = mp.get_context("spawn")
    procs, pipes = [], []
    for share in split(clients, workers):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker_main, args=("measure", target, child, share, count, timeout, latency))
        proc.start()
        procs.append(proc)
        pipes.append(parent)
    for pipe in pipes:
        assert pipe.recv()[0] == "ready"
    time.sleep(0.3)  # let the last SUBSCRIBE reach the broker
    first = asyncio.run(publish(servers.mqtt_port, count, rate, pad))
    results = [pipe.recv() for pipe in pipes]
    for proc in procs:
        proc.join(30)
    got = sum(r[1] for r in results)
    last = max(r[2] for r in results)
    lat = sorted(x for r in results for x in r[3])
    out = {
        "delivered": got,
        "expected": clients * count,
        "frames_per_s": got / ((last - first) / 1e9) if last > first else 0.0,
    }
    if lat:
        out["p50_ms"] = lat[len(lat) // 2]
        out["p99_ms"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    return out


def run_idle(target: dict, steps: list[int], workers: int) -> list[dict]:
    ctx = mp.get_context("spawn")
    procs, pipes = [], []
    for _ in range(workers):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker_main, args=("idle", target, child))
        proc.start()
        procs.append(proc)
        pipes.append(parent)
    time.sleep(0.5)
    base = rss_bytes(target["pid"])
    rows, total = [], 0
    try:
        for step in steps:
            add = step - total
            for pipe, share in zip(pipes, split(add, workers), strict=False):
                pipe.send(("connect", share))
            replies = [pipe.recv() for pipe in pipes]
            errors = [r for r in replies if r[0] == "error"]
            total = sum(r[-1] for r in replies)
            time.sleep(1.0)  # let the server settle (allocator, buffers)
            rss = rss_bytes(target["pid"])
            rows.append(
                {
                    "connections": total,
                    "rss_mib": rss / 2**20,
                    "bytes_per_conn": (rss - base) / total if total else 0.0,
                    "errors": [e[1] for e in errors],
                }
            )
            if errors:
                break
    finally:
        for pipe in pipes:
            pipe.send(("close",))
        for pipe in pipes:
            pipe.recv()
        for proc in procs:
            proc.join(30)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller workload (about a minute)")
    ap.add_argument("--repeats", type=int, default=None, help="runs per throughput/latency figure (median)")
    ap.add_argument("--workers", type=int, default=3, help="client worker processes")
    ap.add_argument("--idle", default=None, help="comma-separated idle connection counts (default 1000,5000,10000)")
    args = ap.parse_args()
    repeats = args.repeats or (2 if args.quick else 3)
    idle_steps = [int(x) for x in (args.idle or ("1000,5000" if args.quick else "1000,5000,10000")).split(",")]
    tp_clients, tp_count = (50, 1000) if args.quick else (100, 2000)
    lat_clients, lat_rate, lat_seconds = 50, 100, (3 if args.quick else 5)

    raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="bridge-bench-") as tmp:
        servers = Servers(Path(tmp))
        try:
            targets = servers.targets()
            results: dict[str, dict] = {name: {"tp": [], "lat": []} for name in targets}
            for r in range(repeats):  # interleave the targets so drift hits both alike
                for name, target in targets.items():
                    res = run_fanout(servers, target, tp_clients, tp_count, None, args.workers, False, 100, 30)
                    results[name]["tp"].append(res)
                    print(
                        f"  throughput run {r + 1} {name}: {res['frames_per_s']:,.0f} frames/s "
                        f"({res['delivered']}/{res['expected']} delivered)",
                        flush=True,
                    )
                for name, target in targets.items():
                    res = run_fanout(
                        servers,
                        target,
                        lat_clients,
                        lat_rate * lat_seconds,
                        lat_rate,
                        args.workers,
                        True,
                        100,
                        lat_seconds + 10,
                    )
                    results[name]["lat"].append(res)
                    print(
                        f"  latency run {r + 1} {name}: p50 {res.get('p50_ms', 0):.2f} ms, "
                        f"p99 {res.get('p99_ms', 0):.2f} ms at {lat_clients * lat_rate:,} frames/s "
                        f"({res['delivered']}/{res['expected']})",
                        flush=True,
                    )
            for name, target in targets.items():
                results[name]["idle"] = run_idle(target, idle_steps, args.workers)
                for row in results[name]["idle"]:
                    print(
                        f"  idle {name}: {row['connections']} connections, RSS {row['rss_mib']:.1f} MiB, "
                        f"{row['bytes_per_conn'] / 1024:.1f} KiB/conn {row['errors'] or ''}",
                        flush=True,
                    )
        finally:
            servers.stop()

    med = lambda xs: statistics.median(xs) if xs else float("nan")  # noqa: E731
    b, m = results["bridge"], results["mosquitto-ws"]
    rows = [
        (
            "delivered frames/s (burst, median)",
            med([x["frames_per_s"] for x in b["tp"]]),
            med([x["frames_per_s"] for x in m["tp"]]),
            "{:,.0f}",
            "higher is better",
        ),
        (
            f"p50 latency ms @ {lat_clients * lat_rate} frames/s",
            med([x["p50_ms"] for x in b["lat"]]),
            med([x["p50_ms"] for x in m["lat"]]),
            "{:.2f}",
            "lower is better",
        ),
        (
            f"p99 latency ms @ {lat_clients * lat_rate} frames/s",
            med([x["p99_ms"] for x in b["lat"]]),
            med([x["p99_ms"] for x in m["lat"]]),
            "{:.2f}",
            "target <= 20 ms",
        ),
    ]
    for bi, mi in zip(b["idle"], m["idle"], strict=False):
        rows.append(
            (
                f"KiB per idle connection @ {bi['connections']}",
                bi["bytes_per_conn"] / 1024,
                mi["bytes_per_conn"] / 1024,
                "{:.1f}",
                "target <= 16 KiB",
            )
        )
    print()
    print(
        f"workload: throughput {tp_clients} dashboards x {tp_count} msgs burst; latency {lat_clients} dashboards "
        f"x {lat_rate} msg/s for {lat_seconds}s; repeats {repeats}; {os.cpu_count()} CPUs"
    )
    print("| metric | bridge | mosquitto-ws | bridge / mosquitto | note |")
    print("|---|---|---|---|---|")
    for label, bv, mv, fmt, note in rows:
        ratio = bv / mv if mv else float("nan")
        print(f"| {label} | {fmt.format(bv)} | {fmt.format(mv)} | {ratio:.2f} | {note} |")


if __name__ == "__main__":
    main()
