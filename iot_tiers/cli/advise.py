"""``tiers advise``: where a workload belongs, why, and what the other places would cost.

Applies the decision rule (the same module the policy pack enforces) to the
workload described by the options, prints the chain of rule steps, then prices
the workload on Lambda, ECS Fargate and EC2 at us-east-1 list prices, marking
the options that cannot run it at all (a GPU on Lambda, a unit of work over
Lambda's 1,800 s limit, durable disk on Fargate...) with the reason. Over the
rule's 900 s threshold is not over Lambda's limit: such work can run on Lambda,
and the line says that the rule places it elsewhere.

Exit codes: 0 advice given, 2 a usage or price file error.
"""

from __future__ import annotations

import argparse
import json
import sys


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "advise", help="place a workload by the decision rule and price it on Lambda, Fargate and EC2",
        description=__doc__.split("\n\n")[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    w = p.add_argument_group("the workload (the workload:* tags)")
    w.add_argument("--connections", choices=("persistent", "none"), default="none",
                   help="holds long-lived client connections (WebSocket, MQTT)? (default: none)")
    w.add_argument("--trigger", choices=("event", "continuous"), default="event",
                   help="runs per event, or all the time (default: event)")
    w.add_argument("--max-duration", type=_non_negative_int, metavar="S",
                   help="longest unit of work, in seconds (event workloads; default: not declared). The rule's "
                        "threshold is 900 s; Lambda itself allows up to 1,800 s")
    w.add_argument("--gpu", action=argparse.BooleanOptionalAction, default=False, help="needs a GPU (default: no)")
    w.add_argument("--disk-gb", type=_non_negative_int, default=0, metavar="N",
                   help="durable local disk it needs, GB (default: 0)")
    w.add_argument("--messages-per-day", type=_non_negative, default=1_440_000, metavar="N",
                   help="units of work (messages) a day (default: 1,440,000 = 500 devices every 30 s)")
    s = p.add_argument_group("sizing assumptions")
    s.add_argument("--memory-mb", type=_non_negative_int, default=256, help="Lambda memory, MB (default: 256)")
    s.add_argument("--arch", choices=("x86_64", "arm64"), default="x86_64",
                   help="architecture for Lambda and Fargate (default: x86_64)")
    s.add_argument("--duration-ms", type=_non_negative, metavar="MS",
                   help="wall time of one unit of work (default: 100 ms, or the max duration if shorter; "
                        "the whole max duration when it is 900 s or more)")
    s.add_argument("--cpu-ms-per-message", type=_non_negative, metavar="MS",
                   help="CPU one unit uses on an always-on server (default: 2 ms, an I/O-bound handler; "
                        "the whole duration for units of 900 s or more)")
    s.add_argument("--instance-type", metavar="TYPE",
                   help="EC2 instance type (default: t3.medium, g4dn.xlarge with --gpu)")
    s.add_argument("--fargate-vcpu", type=_non_negative, default=0.5, help="Fargate task vCPU (default: 0.5)")
    s.add_argument("--fargate-memory-gb", type=_non_negative, default=1.0, help="Fargate task memory, GB (default: 1)")
    p.add_argument("--prices", metavar="FILE", help="JSON price file overriding the bundled us-east-1 list prices")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from iot_tiers_policy.cost import PriceError, load_prices
    from iot_tiers_policy.cost.scenarios import Sizing, advise
    from iot_tiers_policy.decision import WorkloadProfile

    from . import EXIT_ERROR, EXIT_OK
    from ..offline.costing import money, render_table

    try:
        prices = load_prices(args.prices)
        profile = WorkloadProfile(persistent_connections=args.connections == "persistent", trigger=args.trigger,
                                  max_duration_s=args.max_duration, gpu=args.gpu, disk_gb=args.disk_gb)
        sizing = Sizing(memory_mb=args.memory_mb, lambda_arch=args.arch, duration_ms=args.duration_ms,
                        cpu_ms_per_message=args.cpu_ms_per_message, fargate_vcpu=args.fargate_vcpu,
                        fargate_memory_gb=args.fargate_memory_gb, fargate_arch=args.arch,
                        instance_type=args.instance_type)
        if not 128 <= args.memory_mb <= 10240:
            raise ValueError(f"--memory-mb {args.memory_mb}: Lambda allows 128 to 10240 MB")
        if args.fargate_vcpu <= 0:
            raise ValueError("--fargate-vcpu must be > 0 (Fargate sizes: 0.25, 0.5, 1, 2, 4, 8, 16)")
        advice = advise(profile, args.messages_per_day, prices, sizing)
    except (PriceError, ValueError) as exc:
        print(f"tiers advise: {exc}", file=sys.stderr)
        return EXIT_ERROR

    if args.json:
        print(json.dumps(advice.as_json(), indent=2))
        return EXIT_OK

    placed = advice.placement.service
    out = [f"Placement: {placed.label}", ""]
    out += [f"  {s}" for s in advice.placement.steps]
    out += ["", f"Monthly cost of {args.messages_per_day:,.0f} units of work a day on each service "
                f"({prices.region} list prices, USD, 730-hour month):", ""]
    chosen = advice.option(placed).usd
    rows = []
    for o in advice.options:
        mark = "*" if o.service is placed else " "
        if not o.possible:
            rows.append([mark, o.service.label, "not possible", "", o.reason])
            continue
        delta = "(placement)" if o.service is placed else (
            "-" if chosen is None else f"{'+' if o.usd >= chosen else '-'}{money(abs(o.usd - chosen))}")
        rows.append([mark, o.service.label, money(o.usd), delta, o.summary + _rule_note(o, profile, placed)])
    out.append(render_table(["", "SERVICE", "MONTHLY", "VS PLACEMENT", "HOW"], rows, right={2, 3}))
    out += ["", "* where the decision rule places it. Costs are compute only (plus EBS for EC2); "
                "the message pipeline around it (IoT Core, SQS, DynamoDB) is the same wherever it runs."]
    print("\n".join(out))
    return EXIT_OK


def _rule_note(option, profile, placed) -> str:
    """Why a service that can run the workload is not where the rule puts it, when the rule's threshold is why."""
    from iot_tiers_policy.decision import LAMBDA_TIMEOUT_LIMIT_S, RULE_LAMBDA_THRESHOLD_S, Service

    if (option.service is Service.LAMBDA and placed is not Service.LAMBDA and profile.trigger == "event"
            and profile.max_duration_s is not None and profile.max_duration_s >= RULE_LAMBDA_THRESHOLD_S):
        return (f"; possible on Lambda (it allows up to {LAMBDA_TIMEOUT_LIMIT_S:,} s), but over the rule's "
                f"{RULE_LAMBDA_THRESHOLD_S} s threshold, so the rule places it on {placed.label}")
    return ""
