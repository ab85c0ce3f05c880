"""``tiers cost``: what a stack will cost a month, before it is deployed, and what a change does to it.

Runs the program for ``--stack`` under the same capturing harness as ``tiers
preview``, prices every captured resource for the traffic assumptions in the
stack's config (``iot-tiers:traffic*`` keys, defaults otherwise) and per-resource
usage from ``--usage-file``, and prints the line items by tier, the total, the
assumptions used and every resource that could not be priced. ``--compare-to REF``
adds a per-resource diff against a saved ``--json`` estimate, another stack or a
git revision of the program; ``--format markdown`` renders it as a pull-request
comment. ``--seed-table`` prints the decision guide's cost table recomputed instead.

Exit codes: 0 estimated (within ``--budget`` and ``--fail-above`` if given), 1 over
``--budget`` or a rise above ``--fail-above``, 2 a usage, program, price file,
usage file or config error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .stack_config import add_config_option, extra_config

FORMATS = ("table", "json", "markdown")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "cost", help="estimate a stack's monthly AWS cost from its resources and traffic assumptions",
        description=__doc__.split("\n\n")[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stack", help="stack to estimate (reads Pulumi.<stack>.yaml); required unless --seed-table")
    p.add_argument("--program", default=".", metavar="DIR",
                   help="Pulumi program directory (default: the current directory)")
    p.add_argument("--prices", metavar="FILE",
                   help="JSON price file overriding the bundled us-east-1 list prices (another region, your rates)")
    p.add_argument("--usage-file", metavar="FILE",
                   help="YAML usage file: per-resource usage (by name, * wildcards) and per-type defaults, "
                        "where the traffic keys do not say (default: none)")
    p.add_argument("--sync-usage", metavar="FILE",
                   help="write FILE with every usage key of the stack's resources, commented out at the value the "
                        "model uses (values FILE already gives are kept, and used); then estimate with it")
    p.add_argument("--compare-to", metavar="REF",
                   help="also show the per-resource difference from REF: an estimate saved with --json, another "
                        "stack of the program, or a git revision of the program folder (prefix file:, stack: or "
                        "git: to say which)")
    p.add_argument("--fail-above", type=float, metavar="USD",
                   help="with --compare-to: exit 1 when the monthly total rises by more than USD")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="table (default), json (one object: every resource, priced or not) or markdown "
                        "(a pull-request comment: summary, diff, top 10 line items)")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--all", action="store_true", help="also list line items that cost $0.00 (table format)")
    p.add_argument("--budget", type=float, metavar="USD",
                   help="exit 1 when the monthly total exceeds USD (default: no budget)")
    p.add_argument("--seed-table", action="store_true",
                   help="print the decision guide's cost table recomputed with these prices (markdown)")
    add_config_option(p)
    p.set_defaults(func=run)


def _error(message: str) -> int:
    from . import EXIT_ERROR

    print(f"tiers cost: {message}", file=sys.stderr)
    return EXIT_ERROR


def run(args: argparse.Namespace) -> int:
    from iot_tiers_policy.cost import PriceError, UsageError, load_prices

    from . import EXIT_OK, EXIT_VIOLATION

    try:
        prices = load_prices(args.prices)
    except PriceError as exc:
        return _error(str(exc))
    if args.seed_table:
        from ..offline.seed_table import render_markdown

        print(render_markdown(prices))
        return EXIT_OK
    if not args.stack:
        return _error("--stack NAME is required (or --seed-table)")
    fmt = "json" if args.json else (args.format or "table")
    if args.json and args.format not in (None, "json"):
        return _error(f"--json and --format {args.format} disagree: give one")
    if args.fail_above is not None and not args.compare_to:
        return _error("--fail-above needs --compare-to REF (the monthly rise is measured against REF)")
    if args.usage_file and args.sync_usage and Path(args.usage_file).resolve() != Path(args.sync_usage).resolve():
        return _error("--usage-file and --sync-usage name different files: sync the file you use")

    from ..offline.cost_compare import CompareError, resolve
    from ..offline.cost_report import diff_json, render_diff, render_estimate, render_markdown
    from ..offline.costing import estimate_capture, traffic_origins
    from ..offline.harness import ProgramError, ProjectError, run_stack
    from ..offline.usage_file import read_usage, sync_usage
    from iot_tiers_policy.cost import Usage
    from iot_tiers_policy.cost.diff import compare

    program = Path(args.program)
    try:
        usage_path = args.sync_usage or args.usage_file
        usage = Usage()
        if usage_path and (args.usage_file or Path(usage_path).exists()):
            usage = read_usage(usage_path)
        capture = run_stack(program, args.stack, extra_config=extra_config(args))
        est = estimate_capture(capture, prices, usage=usage)
        if args.sync_usage:
            _, dropped = sync_usage(args.sync_usage, est, usage)
            print(f"tiers cost: wrote {args.sync_usage}" + (
                f" (dropped entries of resources no longer in the stack: {', '.join(dropped)})" if dropped else ""),
                file=sys.stderr)
            est = estimate_capture(capture, prices, usage=read_usage(args.sync_usage))
        origins = traffic_origins(program, args.stack, est.traffic)
        doc = {"stack": capture.stack, "project": capture.project, **est.as_json()}
        diff = None
        if args.compare_to:
            label, before = resolve(args.compare_to, program, args.stack, prices, usage,
                                    extra_config=extra_config(args))
            diff = compare(before, doc, before_label=label, after_label=f"stack {args.stack} now")
    except ProjectError as exc:
        return _error(str(exc))
    except ProgramError as exc:
        return _error(f"the program failed for stack '{args.stack}':\n{exc}")
    except (CompareError, UsageError) as exc:
        return _error(str(exc))
    except (PriceError, ValueError) as exc:
        return _error(f"stack '{args.stack}': {exc}")

    over = args.budget is not None and est.total > args.budget
    risen = diff is not None and args.fail_above is not None and diff.delta > args.fail_above
    if fmt == "json":
        if args.budget is not None:
            doc.update(budget_usd=args.budget, over_budget=over)
        print(json.dumps(diff_json(diff, doc) if diff else doc, indent=2))
    elif fmt == "markdown":
        print(render_markdown(est, capture, diff))
    else:
        print(render_estimate(est, capture, show_zero=args.all, origins=origins))
        if diff is not None:
            print("\n" + render_diff(diff))
        if args.budget is not None:
            verdict = "OVER" if over else "within"
            print(f"\n{verdict} budget: ${est.total:,.2f} against ${args.budget:,.2f} a month")
    if risen:
        print(f"tiers cost: the monthly estimate rises by ${diff.delta:,.2f}, more than --fail-above "
              f"${args.fail_above:,.2f}", file=sys.stderr)
    return EXIT_VIOLATION if over or risen else EXIT_OK
