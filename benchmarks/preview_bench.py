"""How long ``tiers preview`` takes, and how it grows with the size of the program.

Times the preflight (program under mocks + policy pack process + analyzer protocol)
for the repo's dev and prod stacks and for generated raw-pulumi_aws programs of
5, 20 and 50 tiers, each run ``--repeat`` times; prints medians and the 50/5
ratio. The cost must grow linearly: 50 tiers (10x the resources) may take at most
12x the 5-tier time (the fixed part, starting the pack, makes it less than 10x).

    .venv/bin/python benchmarks/preview_bench.py [--repeat 3]

Exit status 1 when the ratio exceeds the bound.
"""

from __future__ import annotations

import argparse
import statistics
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; medians are reported (default 3)")
    args = parser.parse_args()
    rows = []
    for stack in ("dev", "prod"):
        rows.append((f"repo {stack}", *measure(REPO, stack, args.repeat, REPO_STACK_CONFIG[stack])))
    with tempfile.TemporaryDirectory() as tmp:
        for tiers in (5, 20, 50):
            rows.append((f"{tiers} tiers", *measure(generate(Path(tmp), tiers), "dev", args.repeat)))
    print(f"{'case':<12} {'resources':>9} {'mandatory':>9} {'median s':>9}")
    for name, median, resources, mandatory in rows:
        print(f"{name:<12} {resources:>9} {mandatory:>9} {median:>9.2f}")
    t5 = next(m for n, m, *_ in rows if n == "5 tiers")
    t50 = next(m for n, m, *_ in rows if n == "50 tiers")
    ratio = t50 / t5
    print(f"50/5 tiers time ratio: {ratio:.2f} (bound {MAX_RATIO:.0f}x, resources grow 10x) -> "
          f"{'OK' if ratio <= MAX_RATIO else 'TOO SLOW'}")
    return 0 if ratio <= MAX_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
