"""The stack as the estimator reads it: the pack's own graph (:mod:`..graph`), built from
whatever shape the resources arrive in, and the few questions every pricer asks of it.

Resources arrive as ``pulumi_policy`` ``PolicyResource`` objects (the budget policy),
as captured registrations (``tiers cost``: ``type``, ``inputs``, ``outputs``...), as
:class:`ResourceView` (tests, simple callers) or as graph :class:`~..graph.Node`
objects. Every edge the estimator follows is a dependency the engine recorded (a
property's dependencies, the parent), never an ARN matched as a string.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from types import SimpleNamespace
from typing import Any, Iterable, Mapping, Optional

from .._util import is_unknown
from ..graph import Graph, Node

#: A component of ours: ``iot-tiers:index:<Name>Tier`` (a tier) or ``iot-tiers:index:<Name>`` (a
#: shared part such as the network), or a team's own ``<pkg>:components:<Name>``.
TIER_TYPE = re.compile(r"^(?:[\w-]+:components|iot-tiers:index):(\w+?)(?:Tier)?$")
FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"


#: A resource as the estimator needs it (the shape a policy pack sees): the graph's own node.
ResourceView = Node


def _node(r: Any) -> Node:
    if isinstance(r, Node):
        return r
    # a captured registration: what a pack sees after a preview under mocks is the
    # outputs (identifiers such as ARNs) overlaid with the inputs
    props = {**dict(getattr(r, "outputs", None) or {}), **dict(r.inputs or {})}
    return Node(r.urn, r.type, r.name, json.loads(json.dumps(props, default=str)), r.parent or None,
                list(getattr(r, "dependencies", None) or []),
                {k: list(v or []) for k, v in (getattr(r, "property_dependencies", None) or {}).items()})


def graph_of(resources: Iterable[Any]) -> Graph:
    """The pack's graph over ``resources`` (PolicyResources, captured registrations, views or nodes)."""
    resources = list(resources)
    if resources and all(hasattr(r, "resource_type") for r in resources):
        return Graph.from_stack_args(SimpleNamespace(resources=resources))
    return Graph(_node(r) for r in resources)


def from_policy_resources(resources: Iterable[Any]) -> list[Node]:
    """Nodes of ``pulumi_policy`` ``PolicyResource`` objects (stack validation's ``args.resources``)."""
    return graph_of(list(resources)).nodes


def from_captured(resources: Iterable[Any]) -> list[Node]:
    """Nodes of captured registrations (``type``, ``inputs``, ``outputs``, ``parent``...)."""
    return [_node(r) for r in resources]


class StackView:
    """The graph plus the lookups pricers share: children, tiers, functions behind aliases."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._children: dict[str, list[Node]] = {}
        for n in graph.nodes:
            if n.parent:
                self._children.setdefault(n.parent, []).append(n)

    @property
    def nodes(self) -> list[Node]:
        return self.graph.nodes

    def of_type(self, *types: str) -> list[Node]:
        return self.graph.of_type(*types)

    def deps(self, node: Node, *props: str, types: Optional[Iterable[str]] = None) -> list[Node]:
        return self.graph.deps(node, *props, types=types)

    def dependents(self, node: Node, *props: str, types: Optional[Iterable[str]] = None) -> list[Node]:
        return self.graph.dependents(node, *props, types=types)

    def children(self, node: Node) -> list[Node]:
        return list(self._children.get(node.urn, ()))

    def is_opaque(self, node: Node, types: Iterable[str] = ()) -> bool:
        """A component with no children in the graph: a remote (awsx) component under mocks,
        priced from its inputs; in a real preview its children are there and are priced instead.

        With ``types``: none of its descendants, at any depth, is of those types (awsx nests an
        awsx VPC's NAT gateways under its subnets, under its ``aws:ec2/vpc:Vpc``).
        """
        if not types:
            return not self._children.get(node.urn)
        return not self.descendants(node, types)

    def descendants(self, node: Node, types: Iterable[str] = ()) -> list[Node]:
        """Every resource below ``node`` in the parent tree, of ``types`` when given."""
        wanted, out, seen, frontier = set(types), [], {node.urn}, [node.urn]
        while frontier:
            for child in self._children.get(frontier.pop(), ()):
                if child.urn in seen:
                    continue
                seen.add(child.urn)
                frontier.append(child.urn)
                if not wanted or child.type in wanted:
                    out.append(child)
        return out

    def function_of(self, node: Node) -> Optional[Node]:
        """The Lambda function a reference resolves to, through an alias if need be."""
        if node.type == FUNCTION:
            return node
        if node.type == ALIAS:
            fns = self.deps(node, "functionName", types=[FUNCTION])
            return fns[0] if fns else None
        return None

    def functions(self, node: Node, prop: str) -> list[Node]:
        out = []
        for target in self.deps(node, prop):
            fn = self.function_of(target)
            if fn is not None and fn not in out:
                out.append(fn)
        return out

    def tier_of(self, node: Node) -> Optional[Node]:
        for a in self.graph.ancestors(node):
            if TIER_TYPE.match(a.type):
                return a
        return None

    def has_tiers(self) -> bool:
        return any(TIER_TYPE.match(n.type) for n in self.nodes)

    def region(self) -> Optional[str]:
        """The region the stack deploys to: its AWS provider's, else the one its ARNs and zones name."""
        for n in self.nodes:
            if n.type == "pulumi:providers:aws" and isinstance(n.props.get("region"), str) \
                    and not is_unknown(n.props["region"]):
                return n.props["region"]
        seen: Counter = Counter()
        for n in self.nodes:
            for key in ("arn", "availabilityZone"):
                v = n.props.get(key)
                if not isinstance(v, str) or is_unknown(v):
                    continue
                m = re.match(r"arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-gov)?-[a-z]+-\d):", v) if key == "arn" \
                    else re.match(r"([a-z]{2}(?:-gov)?-[a-z]+-\d)[a-z]$", v)
                if m:
                    seen[m.group(1)] += 1
        return seen.most_common(1)[0][0] if seen else None


def tier_label(component: Node) -> str:
    """``ProcessingTier`` named ``processing`` -> ``processing``; ``HeavyComputeTier`` ``gpu`` -> ``heavy-compute (gpu)``;
    ``Network`` named ``network`` -> ``network``."""
    m = TIER_TYPE.match(component.type)
    kind = re.sub(r"(?<!^)(?=[A-Z])", "-", m.group(1)).lower() if m else component.type
    return kind if component.name == kind else f"{kind} ({component.name})"


def environment(node: Node) -> dict[str, Any]:
    """A Lambda function's environment variables (``{}`` when none or unknown)."""
    env = node.props.get("environment") or {}
    variables = env.get("variables") if isinstance(env, Mapping) else None
    return dict(variables) if isinstance(variables, Mapping) else {}


def container_definitions(task_definition: Node) -> Optional[list[dict[str, Any]]]:
    """A task definition's containers (a JSON string in the provider), or None when unknown."""
    raw = task_definition.props.get("containerDefinitions")
    if is_unknown(raw) or raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return [c for c in raw if isinstance(c, Mapping)] if isinstance(raw, list) else None


def tags_match(tags: Any, wanted: Mapping[str, Any]) -> bool:
    """Whether ``tags`` (a map, or a list of ``{key, value}``) carry every key/value of ``wanted``."""
    if isinstance(tags, list):
        tags = {t.get("key"): t.get("value") for t in tags if isinstance(t, Mapping)}
    if not isinstance(tags, Mapping) or not wanted:
        return False
    return all(tags.get(k) == v for k, v in wanted.items())
