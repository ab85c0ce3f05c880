"""``tiers local``: run the whole backend on this machine (see :mod:`iot_tiers.local`)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "local",
        help="run the whole backend locally (mosquitto, moto, the handler, the bridge) with a live dashboard",
        description="Run the stack's ProcessingTier and the bridge on this machine, with simulated devices "
                    "and a live dashboard; no AWS account needed. Prints the dashboard URL and token at "
                    "start, a status line while it runs, and a summary at the end in which every published "
                    "reading is written, rejected with a reason, or in flight.",
    )
    p.add_argument("--devices", type=int, default=5, metavar="N", help="simulated devices (default 5)")
    p.add_argument("--rate", type=float, default=1.0, metavar="MSGS_PER_S_PER_DEVICE",
                   help="messages per second per device (default 1)")
    p.add_argument("--bad-share", type=float, default=0.1, metavar="SHARE",
                   help="share of readings that are out of range, malformed or not JSON (default 0.1)")
    p.add_argument("--hot-share", type=float, default=0.05, metavar="SHARE",
                   help="share of good readings above the alert threshold (default 0.05)")
    p.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                   help="stop after this many seconds (default: run until Ctrl-C)")
    p.add_argument("--port-dashboard", type=int, default=0, metavar="P",
                   help="port of the dashboard page (default 0: any free port)")
    p.add_argument("--json-summary", action="store_true",
                   help="also print the summary as one JSON object on the last line")
    p.add_argument("--stack", default="dev", help="stack whose ProcessingTier to run (default dev)")
    p.add_argument("--program", default=".", metavar="DIR", help="Pulumi program directory (default .)")
    p.add_argument("--tier", default=None, metavar="NAME",
                   help="ProcessingTier to run when the stack has several (default: the only one)")
    p.add_argument("--drain-timeout", type=float, default=15.0, metavar="SECONDS",
                   help="longest wait for the queue to empty after the devices stop (default 15)")
    p.add_argument("--seed", type=int, default=None, help="random seed of the simulated devices")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from iot_tiers.local import LocalOptions, run_local

    return run_local(LocalOptions(
        devices=args.devices, rate=args.rate, bad_share=args.bad_share, hot_share=args.hot_share,
        duration=args.duration, port_dashboard=args.port_dashboard, json_summary=args.json_summary,
        program=args.program, stack=args.stack, tier=args.tier, drain_timeout=args.drain_timeout,
        seed=args.seed,
    ))
