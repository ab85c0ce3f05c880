"""Benchmark: the telemetry handler against the seed's handler, side by side, on a moto server.

Run on demand (not a test)::

    .venv/bin/python benchmarks/handler_bench.py [--cold-runs 7] [--rounds 15] [--hot 5]

Both handlers talk HTTP to the same moto server, a separate process started here on a
free loopback port. Measured in one run:

* cold start: a fresh Python process imports the handler module and handles its first
  100-record SQS batch; the time from before the import to the batch's return (median
  of ``--cold-runs`` processes per handler, interleaved);
* warm throughput: records per second over 100-record batches in one process whose
  handlers are already loaded (median of ``--rounds`` rounds, interleaved, after one
  warm-up round each);
* AWS requests per 100 valid records, counted with botocore ``before-call`` hooks on
  each handler's own clients, with and without hot (alerting) readings.

Every batch holds fresh keys, so no run finds another's items or alert markers.
moto answers slower than DynamoDB for large batches and faster for small requests, so
absolute numbers are moto's; the ratios are the point.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(REPO), str(BENCH)]

from _moto import moto_server  # noqa: E402

IMPLEMENTATIONS = {"seed": "seed_handler", "iot-tiers": "iot_tiers_runtime.processing.handler"}

#: Where the handlers' log lines go during measurement: written (so logging costs what it
#: costs), never shown. Opened once and never closed: loggers keep the stream they saw.
SINK = open(os.devnull, "w")


def make_batch(prefix: str, size: int = 100, hot: int = 0) -> dict[str, Any]:
    """An SQS event of ``size`` valid readings from 10 devices, ``hot`` of them above 80 °C."""
    base = int(time.time() * 1000) - 60_000
    records = []
    for i in range(size):
        body = {"deviceId": f"{prefix}-{i % 10}", "temperature": 90.5 if i < hot else 21.0 + (i % 7),
                "humidity": 40 + i % 20, "timestamp": base + i, "brokerTimestamp": base + i + 5}
        records.append({"messageId": f"{prefix}-{i}", "receiptHandle": "rh", "body": json.dumps(body),
                        "attributes": {"ApproximateReceiveCount": "1"}, "eventSource": "aws:sqs",
                        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:telemetry"})
    return {"Records": records}


def setup_backend(url: str) -> dict[str, str]:
    """Create the table, topic and rejects queue on the moto server; returns the handler env."""
    import boto3

    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
              aws_secret_access_key="bench")
    ddb = boto3.client("dynamodb", **kw)
    ddb.create_table(TableName="telemetry", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}])
    topic = boto3.client("sns", **kw).create_topic(Name="alerts")["TopicArn"]
    queue = boto3.client("sqs", **kw).create_queue(QueueName="rejects")["QueueUrl"]
    return {"AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench", "TABLE_NAME": "telemetry", "ALERT_TOPIC_ARN": topic,
            "REJECTS_QUEUE_URL": queue}


# ----------------------------------------------------------------------------- cold start
def cold_child(module: str, hot: int) -> None:
    """In a fresh process: time import + first batch; print one JSON line."""
    batch = make_batch(f"cold-{uuid.uuid4().hex[:8]}", hot=hot)
    real_stdout = sys.stdout
    with contextlib.redirect_stdout(SINK):
        started = time.perf_counter()
        mod = __import__(module, fromlist=["handler"])
        imported = time.perf_counter()
        mod.handler(batch, None)
        done = time.perf_counter()
    real_stdout.write(json.dumps({"total": done - started, "import": imported - started}) + "\n")


def measure_cold(env: dict[str, str], runs: int, hot: int) -> dict[str, dict[str, float]]:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    child_env.update(env, PYTHONPATH=str(REPO))
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in IMPLEMENTATIONS}
    for _ in range(runs + 1):  # the first pair also compiles .pyc files: discarded below
        for name, module in IMPLEMENTATIONS.items():
            out = subprocess.run([sys.executable, __file__, "--cold-child", module, "--hot", str(hot)],
                                 env=child_env, capture_output=True, text=True, timeout=120, check=True)
            samples[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {name: {"total": statistics.median(s["total"] for s in runs_[1:]),
                   "import": statistics.median(s["import"] for s in runs_[1:])}
            for name, runs_ in samples.items()}


# ------------------------------------------------------------------------ warm throughput
def counters(clients: dict[str, Any]) -> dict[str, list[int]]:
    """Count requests per service with botocore hooks; the lists are mutated in place."""
    counts: dict[str, list[int]] = {}
    for service, client in clients.items():
        counts[service] = [0]
        client.meta.events.register(f"before-call.{client.meta.service_model.service_id.hyphenize()}",
                                    lambda _c=counts[service], **_: _c.__setitem__(0, _c[0] + 1))
    return counts


def load_warm(env: dict[str, str]) -> dict[str, tuple[Callable, dict[str, list[int]]]]:
    os.environ.update(env)
    import seed_handler
    from iot_tiers_runtime.processing import aws as tiers_aws
    from iot_tiers_runtime.processing import handler as tiers_handler

    loaded = {}
    with contextlib.redirect_stdout(SINK):
        tiers_handler.handler(make_batch("warmup-t", hot=1), None)   # loads settings and clients
        seed_handler.handler(make_batch("warmup-s", hot=1), None)
    loaded["seed"] = (seed_handler.handler,
                      counters({"dynamodb": seed_handler._dynamodb, "sns": seed_handler._sns}))
    loaded["iot-tiers"] = (tiers_handler.handler,
                           counters({s: tiers_aws.client(s) for s in ("dynamodb", "sns", "sqs")}))
    return loaded


def measure_warm(loaded, rounds: int, hot: int) -> dict[str, float]:
    rates: dict[str, list[float]] = {name: [] for name in loaded}
    with contextlib.redirect_stdout(SINK):
        for r in range(rounds + 1):
            for name, (handle, _) in loaded.items():
                batch = make_batch(f"warm-{name}-{hot}-{r}-{uuid.uuid4().hex[:6]}", hot=hot)
                started = time.perf_counter()
                handle(batch, None)
                elapsed = time.perf_counter() - started
                if r:  # round 0 warms caches
                    rates[name].append(len(batch["Records"]) / elapsed)
    return {name: statistics.median(v) for name, v in rates.items()}


def count_requests(loaded, hot: int) -> dict[str, dict[str, int]]:
    out = {}
    with contextlib.redirect_stdout(SINK):
        for name, (handle, counts) in loaded.items():
            for c in counts.values():
                c[0] = 0
            handle(make_batch(f"count-{name}-{hot}-{uuid.uuid4().hex[:6]}", hot=hot), None)
            out[name] = {service: c[0] for service, c in counts.items()}
    return out


# ---------------------------------------------------------------------------------- report
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cold-runs", type=int, default=7, help="fresh processes per handler (default 7)")
    parser.add_argument("--rounds", type=int, default=15, help="warm 100-record batches per handler (default 15)")
    parser.add_argument("--hot", type=int, default=5,
                        help="readings above the alert threshold in the mixed batches (default 5 of 100)")
    parser.add_argument("--cold-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        cold_child(args.cold_child, args.hot)
        return

    with moto_server() as url:
        env = setup_backend(url)
        cold = measure_cold(env, args.cold_runs, args.hot)
        loaded = load_warm(env)
        warm_plain = measure_warm(loaded, args.rounds, 0)
        warm_mixed = measure_warm(loaded, args.rounds, args.hot)
        calls_plain = count_requests(loaded, 0)
        calls_mixed = count_requests(loaded, args.hot)

    import boto3
    import moto

    rows = [
        (f"cold start: import + first 100-record batch ({args.hot} hot), ms, median of {args.cold_runs}",
         cold["seed"]["total"] * 1000, cold["iot-tiers"]["total"] * 1000, "lower"),
        ("  of which the import of the handler module, ms",
         cold["seed"]["import"] * 1000, cold["iot-tiers"]["import"] * 1000, "lower"),
        (f"warm throughput, records/s, 100-record batches, 0 hot, median of {args.rounds}",
         warm_plain["seed"], warm_plain["iot-tiers"], "higher"),
        (f"warm throughput, records/s, 100-record batches, {args.hot} hot, median of {args.rounds}",
         warm_mixed["seed"], warm_mixed["iot-tiers"], "higher"),
        ("DynamoDB requests per 100 valid records, 0 hot",
         calls_plain["seed"]["dynamodb"], calls_plain["iot-tiers"]["dynamodb"], "lower"),
        (f"DynamoDB requests per 100 valid records, {args.hot} hot",
         calls_mixed["seed"]["dynamodb"], calls_mixed["iot-tiers"]["dynamodb"], "lower"),
        (f"SNS requests per 100 valid records, {args.hot} hot",
         calls_mixed["seed"]["sns"], calls_mixed["iot-tiers"]["sns"], "lower"),
    ]
    print(f"python {platform.python_version()}, boto3 {boto3.__version__}, moto {moto.__version__}, "
          f"{os.cpu_count()} CPUs; moto server at {url}")
    print()
    print("| measure | seed baseline | iot-tiers | iot-tiers vs seed |")
    print("|---|---:|---:|---:|")
    for label, seed, tiers, better in rows:
        if better == "higher":     # a rate: higher is better
            ratio = f"{tiers / seed:.1f}x" if seed else "n/a"
        elif isinstance(seed, int):  # a count of requests
            ratio = f"{seed / tiers:.1f}x fewer" if tiers else "none"
        else:                      # a duration
            ratio = f"{seed / tiers:.2f}x faster" if tiers else "n/a"
        print(f"| {label} | {seed:,.0f} | {tiers:,.0f} | {ratio} |")
    print()
    targets = [
        ("at most 4 DynamoDB requests per 100 valid records", calls_plain["iot-tiers"]["dynamodb"] <= 4),
        ("warm throughput at least 5x the seed's (both workloads)",
         min(warm_plain["iot-tiers"] / warm_plain["seed"], warm_mixed["iot-tiers"] / warm_mixed["seed"]) >= 5),
        ("cold start no slower than the seed's", cold["iot-tiers"]["total"] <= cold["seed"]["total"]),
    ]
    for label, ok in targets:
        print(f"[{'met' if ok else 'MISSED'}] {label}")


if __name__ == "__main__":
    main()
