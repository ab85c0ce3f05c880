"""``tiers preview``: the offline preflight (logic in :mod:`iot_tiers.offline.preflight`).

Exit codes: 0 no mandatory violation, 1 a mandatory policy is violated, 2 the
program, the stack's config, the pack or the policy config is broken.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import textwrap
from pathlib import Path
from typing import Any, Optional, TextIO

from .stack_config import add_config_option, extra_config

EXIT_OK, EXIT_VIOLATION, EXIT_ERROR = 0, 1, 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "preview", help="run a stack program under mocks and check it with the policy pack (no AWS, no Pulumi CLI)",
        description="Run a Pulumi program offline for one stack and check every resource it registers with the "
                    "CrossGuard policy pack, speaking the analyzer protocol to the pack exactly as `pulumi preview "
                    "--policy-pack` does.")
    p.add_argument("--stack", required=True, action="append",
                   help="stack name: reads Pulumi.<stack>.yaml; without one, previews a new stack (the project's "
                        "declared config defaults only), as `pulumi preview` does. Give it twice or more "
                        "(--stack dev --stack prod) to preview each and list the physical names two of them would "
                        "both create in one account (exit 1 when there is one: the second `pulumi up` would fail)")
    p.add_argument("--program", default=".", help="directory with Pulumi.yaml and __main__.py (default: .)")
    p.add_argument("--policy-pack", dest="policy_pack", default=None,
                   help="policy pack directory (default: <program>/policies, else the pack shipped with iot-tiers)")
    p.add_argument("--policy-config", dest="policy_config", default=None,
                   help="policy pack config JSON, as `--policy-pack-config` (default: none, as `pulumi preview`; the "
                        "iot-tiers pack applies its development or production profile from the stack's "
                        "iot-tiers:environment, and this file overrides any entry of it)")
    p.add_argument("--unknowns", choices=("known", "first-preview"), default="known",
                   help="'known' (default): send mock values for inputs computed from other resources, as the pack "
                        "sees them at `pulumi up`; 'first-preview': send them as unknowns, as a first `pulumi "
                        "preview` of a new stack does")
    p.add_argument("--prices", metavar="FILE", default=None,
                   help="JSON price file overriding the bundled us-east-1 list prices for the cost estimate "
                        "(another region, your rates), as `tiers cost --prices`")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    add_config_option(p)
    p.set_defaults(func=run_stacks)


def run_stacks(args: argparse.Namespace, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    """One preview per ``--stack``; with several, also the names they would both create."""
    stacks = args.stack if isinstance(args.stack, list) else [args.stack]
    if len(stacks) == 1:
        return run(argparse.Namespace(**{**vars(args), "stack": stacks[0]}), out, err)
    from ..offline.collisions import find_collisions, find_shared_topics

    out = out or sys.stdout
    captures, codes, reports = [], [], []
    for stack in stacks:
        one = argparse.Namespace(**{**vars(args), "stack": stack})
        buffer = _Buffer()
        code = run(one, buffer, err)
        codes.append(code)
        reports.append(json.loads(buffer.getvalue()) if args.json else buffer.getvalue())
        if buffer.result is not None:
            captures.append(buffer.result.capture)
    if EXIT_ERROR in codes:  # a stack that did not run cannot be compared
        collisions, shared = [], []
    else:
        collisions, shared = find_collisions(captures), find_shared_topics(captures)
    if args.json:
        print(json.dumps({"stacks": reports, "collisions": [c.as_json() for c in collisions],
                          "sharedTopics": [t.as_json() for t in shared]}, indent=2, default=str), file=out)
    else:
        out.write("\n".join(reports))
        out.write(render_collisions(stacks, collisions, compared=EXIT_ERROR not in codes))
        for topic in shared:  # advice: both deploy, but they read each other's devices
            out.write(f"  ! {topic.describe()}\n")
    worst = max(codes)
    return EXIT_VIOLATION if collisions and worst == EXIT_OK else worst


class _Buffer(io.StringIO):
    """A text stream that also keeps the preview result :func:`run` hands it."""

    result: Any = None


def render_collisions(stacks: list[str], collisions: list[Any], compared: bool = True) -> str:
    title = f"Physical names shared by stacks {', '.join(stacks)} (one account)"
    if not compared:
        return f"\n{title}: not compared (a stack failed to preview)\n"
    if not collisions:
        return f"\n{title}: none\n"
    lines = [f"\n{title}: {len(collisions)}: the second `pulumi up` would fail with AlreadyExists"]
    lines += [f"  ✗ {c.describe()}" for c in collisions]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    """Run the preflight for parsed ``args``; ``out``/``err`` default to the process's streams."""
    out = out or sys.stdout
    err = err or sys.stderr
    from ..offline.analyzer import AnalyzerError
    from ..offline.harness import ProgramError
    from ..offline.preflight import run_preview
    from ..offline.project import ProjectError

    from iot_tiers_policy.cost import PriceError, load_prices

    try:
        prices = load_prices(getattr(args, "prices", None)) if getattr(args, "prices", None) else None
        result = run_preview(Path(args.program), args.stack, pack_dir=args.policy_pack,
                             policy_config=args.policy_config, unknowns=args.unknowns,
                             extra_config=extra_config(args))
        if prices is not None:  # the estimate shown is priced with the given file
            from ..offline.costing import estimate_capture, estimate_summary

            result.cost = estimate_summary(estimate_capture(result.capture, prices))
    except (ProjectError, ProgramError, AnalyzerError, PriceError) as exc:
        kind = {"ProjectError": "project", "ProgramError": "program", "PolicyConfigError": "policy config",
                "AnalyzerError": "policy pack", "PriceError": "price file"}.get(type(exc).__name__, "error")
        return _error(args, out, err, kind, str(exc))
    except Exception:  # our own bug: say so, and never as exit 1 ("a mandatory violation")
        import traceback

        return _error(args, out, err, "internal error in tiers preview (please report it)", traceback.format_exc())
    if isinstance(out, _Buffer):
        out.result = result
    if args.json:
        print(json.dumps(result.as_json(), indent=2, default=str), file=out)
    else:
        out.write(render(result))
    return EXIT_OK if result.passed else EXIT_VIOLATION


def _error(args: argparse.Namespace, out: TextIO, err: TextIO, kind: str, message: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"stack": args.stack, "error": {"kind": kind, "message": message}}), file=out)
    print(f"error ({kind}): {message}", file=err)
    return EXIT_ERROR


# ---------------------------------------------------------------- the readable report

def render(result: Any, width: int = 100) -> str:
    lines: list[str] = []
    cap = result.capture
    lines.append(f"Preview of stack '{cap.stack}' (project {cap.project}): {len(cap.resources)} resources")
    lines.append(f"Policy pack {result.info.name}@{result.info.version} ({len(result.info.policies)} policies), "
                 f"config: {result.policy_config_path or 'none'}, unknowns: {result.unknowns}")
    if getattr(result, "environment", None) is not None:
        lines.append(f"Environment rules: {result.environment.describe()}"
                     + (f", overridden by {result.policy_config_path.name}" if result.policy_config_path else ""))
    if cap.new_stack:
        lines.append(f"No Pulumi.{cap.stack}.yaml: previewed as a new stack (the project's declared config "
                     f"defaults only), as `pulumi preview` does")
    lines.append("")
    lines.extend(_tree(result))
    lines.append("")
    lines.extend(_placements(result))
    for title, items in (("Mandatory violations", result.mandatory), ("Advisory", result.advisory)):
        lines.append(f"{title} ({len(items)})")
        if not items:
            lines.append("  none")
        names = {r.urn: r.name for r in result.resources}
        for v in items:
            where = names.get(v.urn, "stack") if v.urn else "stack"
            sev = f" [{v.severity}]" if v.severity else ""
            lines.append(f"  {v.policy}{sev}  {where}")
            # The first line of a message is the policy description; the detail follows.
            detail = v.message.split("\n", 1)[-1] if "\n" in v.message else v.message
            for para in detail.splitlines():
                lines.extend(textwrap.wrap(para, width=width, initial_indent="      ", subsequent_indent="      "))
        lines.append("")
    if result.quotas is not None:
        from ..offline.quotas import report_lines

        lines.extend(report_lines(result.quotas, width))
    s = result.summary()
    verdict = "PASSED" if result.passed else "FAILED"
    if result.cost and "error" in result.cost:
        reason = result.cost["error"] if len(result.cost["error"]) <= 160 else result.cost["error"][:157] + "..."
        lines.append(f"Estimated monthly cost: not available ({reason}); details: tiers cost --stack {cap.stack}")
    elif result.cost:
        tiers = ", ".join(f"{name} ${usd:,.2f}" for name, usd in result.cost.get("tiers", {}).items())
        lines.append(f"Estimated monthly cost: ${result.cost.get('total_usd', 0):,.2f}" + (f" ({tiers})" if tiers else "")
                     + f"; details: tiers cost --stack {cap.stack}")
        for warning in result.cost.get("warnings") or []:
            lines.extend(textwrap.wrap(f"cost estimate: {warning}", width=width, initial_indent="  ",
                                       subsequent_indent="    "))
    if s.get("notCheckableAtPreview") is not None:
        lines.append(f"AWS API rules: {s['notCheckableAtPreview']} inputs not checkable at preview (values known "
                     f"only once other resources exist; checked at `pulumi up`)")
    lines.append(f"Summary: {s['resources']} resources, {s['policies']} policies, "
                 f"{s['mandatory']} mandatory and {s['advisory']} advisory violations: {verdict}")
    return "\n".join(lines) + "\n"


_VERDICT_MARKS = {"pass": "✓", "misplaced": "✗", "exempted": "!", "not-assessed": "?"}
_SERVICE_LABELS = {"lambda": "Lambda", "fargate": "ECS Fargate", "ec2": "EC2"}


def _placements(result: Any) -> list[str]:
    """Where the decision rule places each workload, one line each."""
    rows = [p for p in getattr(result, "placements", []) if "verdict" in p and p["verdict"] != "ecs-capacity"]
    if not rows:
        return []
    lines = [f"Placement by the decision rule ({len(rows)} workloads)"]
    for p in rows:
        runs = _SERVICE_LABELS.get(p["runsOn"] or "", p["runsOn"] or "?")
        if p["placedOn"]:
            placed = f"{_SERVICE_LABELS.get(p['placedOn'], p['placedOn'])} (step {p['step']})"
            what = f"runs on {runs}, the rule places it on {placed}"
        else:
            what = p["why"]
        lines.append(f"  {_VERDICT_MARKS.get(p['verdict'], '✗')} {p['name']}: {p['verdict']}: {what}")
    lines.append("")
    return lines


def _tree(result: Any) -> list[str]:
    by_parent: dict[str, list[Any]] = {}
    for r in result.resources:
        if r.type.startswith("pulumi:providers:"):
            continue
        by_parent.setdefault(r.parent, []).append(r)
    flagged: dict[str, str] = {}
    for v in result.violations:
        if v.urn:
            mark = "✗" if v.level == "mandatory" else "!"
            flagged[v.urn] = "✗" if flagged.get(v.urn) == "✗" else mark
    lines: list[str] = []

    def walk(node: Any, prefix: str, last: bool, top: bool) -> None:
        mark = flagged.get(node.urn, " ")
        branch = "" if top else ("└─ " if last else "├─ ")
        lines.append(f"{mark} {prefix}{branch}{node.type}  {node.name}")
        children = by_parent.get(node.urn, [])
        child_prefix = prefix if top else prefix + ("   " if last else "│  ")
        for i, c in enumerate(children):
            walk(c, child_prefix, i == len(children) - 1, False)

    roots = [r for r in result.resources if r.type == "pulumi:pulumi:Stack"]
    for r in roots:
        walk(r, "", True, True)
    lines.append("  (✗ mandatory violation, ! advisory)")
    return lines
