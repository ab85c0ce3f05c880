"""How long ``tiers preview`` takes, what the AWS API rules cost, and how it grows with the program.

1. The check's cost: ``tiers preview --stack dev`` and ``--stack prod``, end to end (a
   fresh ``tiers`` process each time, as a user runs it), with the stack's policy
   config and with the same config plus the ``aws-api-*`` policies disabled, the two
   runs interleaved ``--repeat`` times; prints both medians and their ratio, which
   must stay within 1.3x.
2. Growth: the preflight in-process (program under mocks + policy pack process +
   analyzer protocol) for the repo's stacks and for generated raw-pulumi_aws programs
   of 5, 20 and 50 tiers; prints medians and the 50/5 ratio. The cost must grow
   linearly: 50 tiers (10x the resources) may take at most 12x the 5-tier time (the
   fixed part, starting the pack, makes it less than 10x).

    .venv/bin/python -W ignore benchmarks/preview_bench.py [--repeat 5] [--only check-cost|growth]

Exit status 1 when either ratio exceeds its bound.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from iot_tiers.offline.preflight import run_preview  # noqa: E402
from support import REPO_STACK_CONFIG  # noqa: E402  (prod previews with the tests' certificate)

MAX_RATIO = 12.0
#: ``tiers preview`` with the AWS API rules may take at most this much longer than without them (issue 15).
MAX_CHECK_RATIO = 1.3
TIERS = Path(sys.executable).with_name("tiers")

PROGRAM = textwrap.dedent('''\
    """Generated: {tiers} processing tiers of raw pulumi_aws resources."""
    import json

    import pulumi
    import pulumi_aws as aws

    TRUST = json.dumps({{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {{"Service": "lambda.amazonaws.com"}}}}]}})
    PROFILE = {{"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "30"}}

    for i in range({tiers}):
        dlq = aws.sqs.Queue(f"dlq-{{i}}", sqs_managed_sse_enabled=True)
        queue = aws.sqs.Queue(f"queue-{{i}}", sqs_managed_sse_enabled=True, visibility_timeout_seconds=180,
                              redrive_policy=dlq.arn.apply(lambda a: json.dumps(
                                  {{"deadLetterTargetArn": a, "maxReceiveCount": 5}})))
        table = aws.dynamodb.Table(f"table-{{i}}", billing_mode="PAY_PER_REQUEST", hash_key="pk",
                                   attributes=[{{"name": "pk", "type": "S"}}],
                                   server_side_encryption={{"enabled": True}},
                                   point_in_time_recovery={{"enabled": True}}, deletion_protection_enabled=True)
        logs = aws.cloudwatch.LogGroup(f"logs-{{i}}", name=f"/bench/fn-{{i}}", retention_in_days=30)
        role = aws.iam.Role(f"role-{{i}}", assume_role_policy=TRUST)
        aws.iam.RolePolicy(f"policy-{{i}}", role=role.id, policy=pulumi.Output.all(queue.arn, table.arn).apply(
            lambda a: json.dumps({{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": a[0]}},
                {{"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": a[1]}}]}})))
        fn = aws.lambda_.Function(
            f"fn-{{i}}", runtime="python3.12", handler="index.handler", role=role.arn, timeout=30,
            reserved_concurrent_executions=5, logging_config={{"log_format": "JSON", "log_group": logs.name}},
            code=pulumi.AssetArchive({{"index.py": pulumi.StringAsset("def handler(e, c):\\n    return {{}}\\n")}}),
            environment={{"variables": {{"TABLE_NAME": table.name}}}}, tags=PROFILE)
        aws.lambda_.EventSourceMapping(f"esm-{{i}}", event_source_arn=queue.arn, function_name=fn.arn, batch_size=10)
''')


def generate(root: Path, tiers: int) -> Path:
    d = root / f"tiers-{tiers}"
    d.mkdir()
    (d / "Pulumi.yaml").write_text(f"name: bench-{tiers}\nruntime: python\n")
    # Judged by the pack's development profile, as the repo's dev stack is (iot_tiers_policy.environment).
    (d / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n  iot-tiers:environment: development\n")
    (d / "__main__.py").write_text(PROGRAM.format(tiers=tiers))
    return d


def measure(program: Path, stack: str, repeat: int, extra_config: dict | None = None) -> tuple[float, int, int]:
    times, resources, mandatory = [], 0, 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run_preview(program, stack, pack_dir=REPO / "policies", extra_config=extra_config)
        times.append(time.perf_counter() - t0)
        resources, mandatory = len(result.capture.resources), len(result.mandatory)
    return statistics.median(times), resources, mandatory


def without_aws_rules(stack: str, folder: Path) -> Path:
    """The stack's policy config with every ``aws-api-*`` policy disabled."""
    from iot_tiers_policy.aws_api import POLICIES

    given = REPO / "policies" / "config" / f"{stack}.json"
    config = json.loads(given.read_text()) if given.exists() else {}
    config.update({p.name: "disabled" for p in POLICIES})
    path = folder / f"{stack}-without-aws-api.json"
    path.write_text(json.dumps(config))
    return path


def tiers_preview(stack: str, policy_config: Path | None) -> float:
    cmd = [str(TIERS), "preview", "--stack", stack, "--json"]
    for key, value in REPO_STACK_CONFIG[stack].items():
        cmd += ["-c", f"{key}={value}"]
    if policy_config is not None:
        cmd += ["--policy-config", str(policy_config)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"tiers preview --stack {stack} exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed


def check_cost(repeat: int) -> bool:
    """Median end-to-end ``tiers preview`` with and without the aws-api policies, interleaved; True within bound."""
    ok = True
    print(f"{'tiers preview':<14} {'with aws-api s':>14} {'without s':>10} {'ratio':>6}   (medians of {repeat}, interleaved)")
    with tempfile.TemporaryDirectory() as tmp:
        for stack in ("dev", "prod"):
            off = without_aws_rules(stack, Path(tmp))
            tiers_preview(stack, None)  # warm the file cache once; not counted
            with_times, without_times = [], []
            for _ in range(repeat):
                with_times.append(tiers_preview(stack, None))
                without_times.append(tiers_preview(stack, off))
            on, base = statistics.median(with_times), statistics.median(without_times)
            ratio = on / base
            ok = ok and ratio <= MAX_CHECK_RATIO
            print(f"--stack {stack:<6} {on:>14.2f} {base:>10.2f} {ratio:>6.2f}   "
                  f"{'OK' if ratio <= MAX_CHECK_RATIO else 'TOO SLOW'} (bound {MAX_CHECK_RATIO}x)")
    return ok


def growth(repeat: int) -> bool:
    rows = []
    for stack in ("dev", "prod"):
        rows.append((f"repo {stack}", *measure(REPO, stack, repeat, REPO_STACK_CONFIG[stack])))
    with tempfile.TemporaryDirectory() as tmp:
        for tiers in (5, 20, 50):
            rows.append((f"{tiers} tiers", *measure(generate(Path(tmp), tiers), "dev", repeat)))
    print(f"{'case':<12} {'resources':>9} {'mandatory':>9} {'median s':>9}")
    for name, median, resources, mandatory in rows:
        print(f"{name:<12} {resources:>9} {mandatory:>9} {median:>9.2f}")
    t5 = next(m for n, m, *_ in rows if n == "5 tiers")
    t50 = next(m for n, m, *_ in rows if n == "50 tiers")
    ratio = t50 / t5
    print(f"50/5 tiers time ratio: {ratio:.2f} (bound {MAX_RATIO:.0f}x, resources grow 10x) -> "
          f"{'OK' if ratio <= MAX_RATIO else 'TOO SLOW'}")
    return ratio <= MAX_RATIO


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; medians are reported (default 3)")
    parser.add_argument("--only", choices=("check-cost", "growth"), default=None, help="run one part only")
    args = parser.parse_args()
    ok = True
    if args.only in (None, "check-cost"):
        ok = check_cost(args.repeat) and ok
    if args.only in (None, "growth"):
        ok = growth(args.repeat) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
