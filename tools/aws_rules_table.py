"""The AWS API rules coverage table in docs/aws-rules.md, generated from iot_tiers_policy.aws_rules.

For every resource type the rules know: the API operations the Terraform provider calls to
create it, the inputs mapped onto each request, the checks botocore's model gives the
members those inputs fill (counted by kind), the documented and provider rules added, the
auto-name limit; then the rules across resources.

    python -m tools.aws_rules_table          # print the generated section
    python -m tools.aws_rules_table update   # rewrite it in docs/aws-rules.md
    python -m tools.aws_rules_table check    # exit 1 when docs/aws-rules.md is out of date

tests/policy/test_aws_rules_table.py runs the check.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "aws-rules.md"
START, END = "<!-- aws-rules-table:start -->", "<!-- aws-rules-table:end -->"

#: Model checks, in the order the table lists them.
KINDS = ("required", "enum", "length", "pattern", "range", "size")


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _short(typ: str) -> str:
    """``aws:lambda/function:Function`` -> ``lambda.Function`` (the Python SDK's ``aws.lambda_.Function``)."""
    _pkg, mod, kind = typ.split(":")
    return f"{mod.split('/')[0]}.{kind}"


def model_checks(shape: Any, members: Iterable[str]) -> dict[str, int]:
    """How many checks of each kind botocore's model gives ``members`` of ``shape`` and everything under them."""
    from iot_tiers_policy.aws_rules.shapes import documented_bounds

    counts = dict.fromkeys(KINDS, 0)
    seen: set[str] = set()

    def walk(s: Any) -> None:
        if s.name in seen:
            return
        seen.add(s.name)
        meta, kind = s.metadata, s.type_name
        if kind == "structure":
            counts["required"] += len(s.required_members)
            for m in s.members.values():
                walk(m)
        elif kind == "list":
            counts["size"] += "min" in meta or "max" in meta
            walk(s.member)
        elif kind == "map":
            counts["size"] += "min" in meta or "max" in meta
            walk(s.key)
            walk(s.value)
        elif kind == "string":
            if s.enum:
                counts["enum"] += 1
            else:
                counts["length"] += "min" in meta or "max" in meta or documented_bounds(s) is not None
                counts["pattern"] += "pattern" in meta
        elif kind in ("integer", "long", "double", "float"):
            counts["range"] += "min" in meta or "max" in meta

    chosen = list(members)
    counts["required"] += sum(1 for r in shape.required_members if r in chosen)
    for name in chosen:
        if name in shape.members:
            walk(shape.members[name])
    return counts


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.items() if n) or "types only"


def _documented(service: str, operation: str) -> str:
    from iot_tiers_policy.aws_rules.documented import rules_for

    by_what: dict[str, list[str]] = {}
    for r in rules_for(service, operation):
        by_what.setdefault(r.what, []).append(f"`{r.path or r.inputs}`")
    return "; ".join(f"{', '.join(paths)}: {what}" for what, paths in by_what.items()) or "—"


def render_markdown() -> str:
    from iot_tiers_policy.aws_rules.names import AUTONAMES
    from iot_tiers_policy.aws_rules.provider import RULES as PROVIDER_RULES
    from iot_tiers_policy.aws_rules.requests import CALLS
    from iot_tiers_policy.aws_rules.shapes import api_version, input_shape
    from iot_tiers_policy.aws_rules.stack import CROSS_RESOURCE_RULES

    operations = {(c.service, c.operation) for calls in CALLS.values() for c in calls}
    out = [f"{len(CALLS)} resource types, {len(operations)} API operations. Model checks count the members "
           "(at any depth) of the request that carry each kind of constraint in botocore's installed model; "
           "every member is also checked for its type.", "",
           "| resource type | API operation (botocore version) | inputs mapped | model checks | documented rules |",
           "|---|---|---|---|---|"]
    for typ in sorted(CALLS, key=_short):
        for i, call in enumerate(CALLS[typ]):
            shape = input_shape(call.service, call.operation)
            first = f"`{_short(typ)}`" if i == 0 else ""
            if i == 0 and typ in AUTONAMES:
                rule = AUTONAMES[typ]
                limit = f"at most {rule.maxlen}" if rule.maxlen else "no limit"
                first += f" (auto-named `{rule.field}`: {limit})"
            when = " (conditional)" if call.when is not None else ""
            documented = _documented(call.service, call.operation)
            out.append(f"| {first} | {call.service} {call.operation} ({api_version(call.service)}){when} | "
                       f"{_cell(', '.join(f'`{n}`' for n in call.inputs()) or '—')} | "
                       f"{_counts(model_checks(shape, call.members()))} | {_cell(documented)} |")
    out += ["", "### What pulumi-aws's provider refuses before any request", "",
            "Validations the Terraform provider runs on the inputs at every `pulumi preview` "
            "(`aws_rules/provider.py`).", "",
            "| resource type | input | rule | source |", "|---|---|---|---|"]
    for rule in PROVIDER_RULES:
        out.append(f"| {', '.join(f'`{_short(t)}`' for t in rule.types)} | `{rule.path or rule.inputs}` | "
                   f"{_cell(rule.what)} | {_cell(rule.source)} |")
    out += ["", "### Rules across resources", "",
            "`aws-api-cross-resource` (`aws_rules/stack.py`); the first type is the resource reported.", "",
            "| rule | resource types | source |", "|---|---|---|"]
    for rule in CROSS_RESOURCE_RULES:
        out.append(f"| {_cell(rule.what)} | {', '.join(f'`{_short(t)}`' for t in rule.types)} | "
                   f"{_cell(rule.source)} |")
    out += ["", "### Documented rules and their sources", "",
            "| API operation | member | rule | source |", "|---|---|---|---|"]
    from iot_tiers_policy.aws_rules.documented import RULES

    for rule in RULES:
        out.append(f"| {rule.service} {rule.operation} | `{rule.path or rule.inputs}` | {_cell(rule.what)} | "
                   f"{_cell(rule.source)} |")
    return "\n".join(out).rstrip()


def _current() -> str:
    return DOC.read_text().split(START, 1)[1].split(END, 1)[0].strip()


def update() -> None:
    text = DOC.read_text()
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{render_markdown().strip()}\n{END}{after}")


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
        return 0
    if argv == ["check"]:
        if _current() != render_markdown().strip():
            print(f"{DOC.relative_to(ROOT)} is out of date: run python -m tools.aws_rules_table update",
                  file=sys.stderr)
            return 1
        return 0
    if argv in ([], ["print"]):
        print(render_markdown())
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
