"""``python -m tools.peer_parity [--no-stacks] [--json FILE]``: rerun the peer comparison and print the table.

See the package docstring for what it does. Exit 0 when every mapped rule holds (the peer
rule and the policy both fire on the policy's failing fixture) and covered + declined is at
least 90% of the relevant rules of each peer; 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from . import checkov_run, install
from .awsguard_run import Awsguard
from .compare import (
    PACK, ROOT, Pack, Verdict, baseline_pack, engine_resources, load_fixtures, load_rules, relevant_checkov,
    terraform_resources,
)

THRESHOLD = 0.90


def _fixture_for(policy: str, fixtures: Any) -> list:
    fixture = fixtures.FIXTURES.get(policy)
    if fixture is None:
        raise SystemExit(f"peer-parity: {policy} has no fixture in tests/policy/security_fixtures.py")
    return engine_resources(fixture.failing)


def run(with_stacks: bool = True) -> dict[str, Any]:
    rules = load_rules()
    fixtures = load_fixtures()
    python = install.checkov_python(rules["checkov"]["version"])
    registry = checkov_run.registry(python)
    relevant = relevant_checkov(registry, rules["checkov"]["scope"])
    listed = set(rules["checkov"]["rules"])
    verdicts: list[Verdict] = []
    for rule in sorted(relevant | listed):
        entry = rules["checkov"]["rules"].get(rule, {})
        verdicts.append(Verdict("checkov", rule, registry.get(rule, {}).get("name", entry.get("title", "?")),
                                entry.get("policy"), entry.get("declined"), entry.get("peerDefect")))
    for rule, entry in rules["awsguard"]["rules"].items():
        verdicts.append(Verdict("awsguard", rule, entry["title"], entry.get("policy"), entry.get("declined"),
                                entry.get("peerDefect")))

    mapped = sorted({v.policy for v in verdicts if v.policy and not v.declined})
    resources = {p: _fixture_for(p, fixtures) for p in mapped}
    results = checkov_run.scan(python, {p: terraform_resources(rs) for p, rs in resources.items()})

    with Pack(PACK) as pack:
        ours = {p: pack.analyze(rs) for p, rs in resources.items()}
    with Awsguard(install.awsguard_pack(), rules["awsguard"]["typeAliases"]) as guard:
        awsguard_policies = guard.policies()
        theirs = {p: guard.analyze(rs) for p, rs in resources.items()}
    before: Optional[dict[str, list]] = None
    with tempfile.TemporaryDirectory(prefix="peer-baseline-") as tmp:
        try:
            old_pack = baseline_pack(rules["baseline"]["commit"], Path(tmp))
        except subprocess.CalledProcessError:
            print(f"peer-parity: baseline commit {rules['baseline']['commit']} is not in this clone; no 'before' "
                  f"column", file=sys.stderr)
        else:
            with Pack(old_pack) as old:
                before = {p: old.analyze(rs) for p, rs in resources.items()}

    for v in verdicts:
        if not v.policy or v.declined:
            continue
        if v.peer == "checkov":
            flagged = {u for (check, u), verdict in results[v.policy].items() if check == v.rule and verdict == "FAILED"}
        else:
            flagged = {d.urn for d in theirs[v.policy] if d.policy == v.rule}
        v.peer_fired = bool(flagged)
        v.pack_fired = any(d.policy == v.policy for d in ours[v.policy])
        if before is not None:
            v.before = sorted({d.policy for d in before[v.policy]
                               if d.policy.startswith("security-") and d.urn in flagged})

    report: dict[str, Any] = {"verdicts": [v.__dict__ | {"status": v.status} for v in verdicts],
                              "baselineMeasured": before is not None,
                              "awsguardPolicies": awsguard_policies, "checkovChecks": len(registry),
                              "relevantCheckov": len(relevant)}
    if with_stacks:
        report["stacks"] = {s: stack_agreement(python, s, rules) for s in ("dev", "prod")}
    return report


def stack_agreement(python: Path, stack: str, rules: dict[str, Any]) -> dict[str, Any]:
    """checkov over the repo's own preview: for each relevant check it fails, does the pack flag that resource?"""
    from iot_tiers.offline.preflight import run_preview

    result = run_preview(ROOT, stack)
    resources = [r for r in result.resources if not r.type.startswith(("pulumi:", "iot-tiers:"))]
    failed = checkov_run.scan(python, {stack: terraform_resources(resources)})[stack]
    rows = []
    for (check, urn), verdict in sorted(failed.items()):
        entry = rules["checkov"]["rules"].get(check)
        if verdict != "FAILED" or entry is None:
            continue
        found = [v for v in result.violations if v.policy == entry.get("policy") and v.urn == urn]
        rows.append({"check": check, "resource": urn.rsplit("::", 1)[-1], "policy": entry.get("policy"),
                     "declined": bool(entry.get("declined")), "packLevel": found[0].level if found else None})
    return {"passed": result.passed, "mandatory": len(result.mandatory), "rows": rows}


def table(report: dict[str, Any]) -> str:
    lines = ["| peer | relevant | before: covered | after: covered | declined | missing | covered or declined |",
             "|---|---|---|---|---|---|---|"]
    ok = True
    for peer in ("checkov", "awsguard"):
        vs = [v for v in report["verdicts"] if v["peer"] == peer]
        n = len(vs)
        before = sum(1 for v in vs if v["before"])
        covered = sum(1 for v in vs if v["status"] == "covered")
        declined = sum(1 for v in vs if v["status"] == "declined")
        missing = n - covered - declined
        share = (covered + declined) / n if n else 1.0
        ok &= share >= THRESHOLD
        measured = f"{before} ({before / n:.0%})" if report["baselineMeasured"] else "n/a"
        lines.append(f"| {peer} | {n} | {measured} | {covered} ({covered / n:.0%}) | {declined} | "
                     f"{missing} | {share:.0%} |")
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.peer_parity", description=__doc__.split("\n")[0])
    parser.add_argument("--no-stacks", action="store_true", help="skip checkov over the repo's dev and prod previews")
    parser.add_argument("--json", metavar="FILE", help="also write the full report as JSON")
    parser.add_argument("--install", action="store_true", help="only install the peers (if missing) and exit")
    args = parser.parse_args(argv)
    if args.install:
        install.checkov_python(load_rules()["checkov"]["version"])
        install.awsguard_pack()
        return 0
    report = run(with_stacks=not args.no_stacks)
    text, ok = table(report)
    print(text)
    problems = [v for v in report["verdicts"] if v["status"] in ("unverified", "missing")]
    for v in problems:
        why = ("not in peer_rules.json" if v["status"] == "missing" else
               f"peer fired: {v['peer_fired']}, {v['policy']} fired: {v['pack_fired']}")
        print(f"  {v['status']}: {v['peer']} {v['rule']} ({v['title']}): {why}")
    for v in report["verdicts"]:
        if v["peer_defect"]:
            print(f"  peer defect: {v['peer']} {v['rule']}: {v['peer_defect']} ({v['policy']} fires; peer fired: "
                  f"{v['peer_fired']})")
    for stack, agreement in report.get("stacks", {}).items():
        rows = agreement["rows"]
        flagged = sum(1 for r in rows if r["packLevel"])
        declined = sum(1 for r in rows if r["declined"])
        print(f"\n{stack} stack: checkov fails {len(rows)} relevant check(s) on its resources; the pack flags "
              f"{flagged} of them, {declined} are declined rules, {len(rows) - flagged - declined} it passes "
              f"(pack: {agreement['mandatory']} mandatory violation(s))")
        for r in rows:
            if not r["packLevel"] and not r["declined"]:
                print(f"  pack passes {r['check']} on {r['resource']} ({r['policy']})")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    return 0 if ok and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
