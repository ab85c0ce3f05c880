"""``tiers cost``: what a stack will cost a month, before it is deployed.

Runs the program for ``--stack`` under the same capturing harness as ``tiers
preview``, prices every captured resource for the traffic assumptions in the
stack's config (``iot-tiers:traffic*`` keys, defaults otherwise) and prints the
line items by tier, the total and the assumptions used. ``--seed-table`` prints
the decision guide's cost table recomputed instead.

Exit codes: 0 estimated (and within ``--budget`` if given), 1 over ``--budget``,
2 a usage, program, price file or config error.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "cost", help="estimate a stack's monthly AWS cost from its resources and traffic assumptions",
        description=__doc__.split("\n\n")[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stack", help="stack to estimate (reads Pulumi.<stack>.yaml); required unless --seed-table")
    p.add_argument("--program", default=".", metavar="DIR",
                   help="Pulumi program directory (default: the current directory)")
    p.add_argument("--prices", metavar="FILE",
                   help="JSON price file overriding the bundled us-east-1 list prices (another region, your rates)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--all", action="store_true", help="also list line items that cost $0.00")
    p.add_argument("--budget", type=float, metavar="USD",
                   help="exit 1 when the monthly total exceeds USD (default: no budget)")
    p.add_argument("--seed-table", action="store_true",
                   help="print the decision guide's cost table recomputed with these prices (markdown)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from iot_tiers_policy.cost import PriceError, load_prices

    from . import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION

    try:
        prices = load_prices(args.prices)
    except PriceError as exc:
        print(f"tiers cost: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.seed_table:
        from ..offline.seed_table import render_markdown

        print(render_markdown(prices))
        return EXIT_OK
    if not args.stack:
        print("tiers cost: --stack NAME is required (or --seed-table)", file=sys.stderr)
        return EXIT_ERROR

    from ..offline.costing import estimate_capture, render_estimate
    from ..offline.harness import ProgramError, ProjectError, run_stack

    try:
        capture = run_stack(args.program, args.stack)
        est = estimate_capture(capture, prices)
    except ProjectError as exc:
        print(f"tiers cost: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ProgramError as exc:
        print(f"tiers cost: the program failed for stack '{args.stack}':\n{exc}", file=sys.stderr)
        return EXIT_ERROR
    except (PriceError, ValueError) as exc:
        print(f"tiers cost: stack '{args.stack}': {exc}", file=sys.stderr)
        return EXIT_ERROR

    over = args.budget is not None and est.total > args.budget
    if args.json:
        doc = {"stack": capture.stack, "project": capture.project, **est.as_json()}
        if args.budget is not None:
            doc["budget_usd"] = args.budget
            doc["over_budget"] = over
        print(json.dumps(doc, indent=2))
    else:
        print(render_estimate(est, capture, show_zero=args.all))
        if args.budget is not None:
            verdict = "OVER" if over else "within"
            print(f"\n{verdict} budget: ${est.total:,.2f} against ${args.budget:,.2f} a month")
    return EXIT_VIOLATION if over else EXIT_OK
