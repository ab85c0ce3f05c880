"""Run by checkov's own interpreter: print checkov's Terraform checks for AWS as JSON.

``{id: {"name", "kind": "resource"|"graph", "subjects": [terraform types it judges]}}``. For a
graph check the subjects are the types its top-level filter selects, or its solver's types.
"""

import json
import sys

from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.terraform.checks.resource.registry import resource_registry


def _subjects(check) -> set:
    for sub in check.sub_checks or []:
        if sub.attribute == "resource_type" and "filter" in str(sub.type).lower():
            value = sub.attribute_value
            return set(value if isinstance(value, list) else [value])
    types = set(getattr(check.solver, "resource_types", None) or [])
    if types and len(types) < 50:
        return types
    out = set()
    for sub in check.sub_checks or []:
        out |= _subjects(sub)
    return out


def main() -> None:
    out = {}
    for typ, checks in resource_registry.checks.items():
        for c in checks:
            out.setdefault(c.id, {"name": c.name, "kind": "resource", "subjects": set()})["subjects"].add(typ)
    graph = get_graph_checks_registry("terraform")
    graph.load_checks()
    for c in graph.checks:
        out.setdefault(c.id, {"name": c.name, "kind": "graph", "subjects": set()})["subjects"].update(_subjects(c))
    json.dump({k: {**v, "subjects": sorted(v["subjects"])} for k, v in sorted(out.items())
               if any(t.startswith("aws_") for t in v["subjects"])}, sys.stdout)


if __name__ == "__main__":
    main()
