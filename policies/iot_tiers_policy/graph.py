"""The resource graph a stack policy sees: nodes, parents, and who depends on whom.

Policies infer a workload's traits from its neighbours (the API that integrates a
function, the queue a task role may read). Those edges are property dependencies,
which the engine knows at preview even when the values themselves (ARNs) are not.
So the graph is built from dependencies, never from matching ARN strings.

Remote (multi-language) components, such as every awsx component, are seen two ways.
In a real ``pulumi preview`` the engine asks their provider to construct them, so their
children (the ECS service an ``awsx.ecs.FargateService`` creates, the subnets of an
``awsx.ec2.Vpc``) are in the graph beside the component's own registration. Under
Pulumi's mocks nothing constructs them: the component is *opaque*, one resource with
its inputs. A policy (or the cost model) must give the same verdict either way, from
the component's inputs when it is opaque and from its children when they are visible,
never both. :meth:`Graph.is_opaque`, :meth:`Graph.judged_nodes` and
:meth:`Graph.remote_ancestor` are that rule, for every caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from ._util import plain, tags_of

#: Packages whose resources are remote components: the engine constructs their children
#: through the package's provider (awsx is a multi-language component package).
REMOTE_COMPONENT_PACKAGES = frozenset({"awsx"})


def is_remote_component_type(typ: str) -> bool:
    """True for the type token of a remote (multi-language) component, e.g. ``awsx:ecs:FargateService``."""
    return typ.split(":", 1)[0] in REMOTE_COMPONENT_PACKAGES


@dataclass
class Node:
    """One resource of the stack, with plain (proxy-free) properties."""

    urn: str
    type: str
    name: str
    props: dict[str, Any]
    parent: Optional[str] = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def tags(self) -> Any:
        return tags_of(self.props)

    def deps(self, *props: str) -> list[str]:
        """URNs this node depends on through ``props`` (all properties and options when none given)."""
        if not props:
            out = list(self.dependencies)
            for urns in self.property_dependencies.values():
                out.extend(urns)
            return list(dict.fromkeys(out))
        out = []
        for p in props:
            out.extend(self.property_dependencies.get(p, ()))
        return list(dict.fromkeys(out))


class Graph:
    """Index over a stack's resources: by URN, by type, and reverse dependencies."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes: list[Node] = list(nodes)
        self.by_urn: dict[str, Node] = {n.urn: n for n in self.nodes}
        self._by_type: dict[str, list[Node]] = {}
        self._children: dict[str, list[Node]] = {}
        # dependency urn -> [(dependent node, property or "" for resource-level)]
        self._rev: dict[str, list[tuple[Node, str]]] = {}
        for n in self.nodes:
            self._by_type.setdefault(n.type, []).append(n)
            if n.parent:
                self._children.setdefault(n.parent, []).append(n)
            for d in n.dependencies:
                self._rev.setdefault(d, []).append((n, ""))
            for prop, urns in n.property_dependencies.items():
                for d in urns:
                    self._rev.setdefault(d, []).append((n, prop))

    @classmethod
    def from_stack_args(cls, args: Any) -> "Graph":
        return cls.from_policy_resources(args.resources)

    @classmethod
    def from_policy_resources(cls, resources: Iterable[Any]) -> "Graph":
        """The graph of ``pulumi_policy`` PolicyResources (what a stack policy, or the cost model, is handed)."""
        nodes = []
        for r in resources:
            nodes.append(Node(
                urn=r.urn, type=r.resource_type, name=r.name, props=plain(r.props) or {},
                parent=r.parent.urn if r.parent is not None else (r.opts.parent or None),
                dependencies=[d.urn for d in r.dependencies],
                property_dependencies={k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
            ))
        return cls(nodes)

    def of_type(self, *types: str) -> list[Node]:
        out: list[Node] = []
        for t in types:
            out.extend(self._by_type.get(t, ()))
        return out

    def get(self, urn: str) -> Optional[Node]:
        return self.by_urn.get(urn)

    def deps(self, node: Node, *props: str, types: Optional[Iterable[str]] = None) -> list[Node]:
        """Resources ``node`` depends on (through ``props`` when given), optionally of ``types``."""
        wanted = set(types) if types else None
        out = []
        for urn in node.deps(*props):
            d = self.by_urn.get(urn)
            if d is not None and (wanted is None or d.type in wanted):
                out.append(d)
        return out

    def dependents(self, node: Node, *props: str, types: Optional[Iterable[str]] = None) -> list[Node]:
        """Resources that depend on ``node`` (through one of their ``props`` when given)."""
        wanted = set(types) if types else None
        seen: dict[str, Node] = {}
        for dep, prop in self._rev.get(node.urn, ()):
            if props and prop not in props:
                continue
            if wanted is not None and dep.type not in wanted:
                continue
            seen.setdefault(dep.urn, dep)
        return list(seen.values())

    def ancestors(self, node: Node) -> Iterator[Node]:
        seen = set()
        urn = node.parent
        while urn and urn not in seen:
            seen.add(urn)
            parent = self.by_urn.get(urn)
            if parent is None:
                return
            yield parent
            urn = parent.parent

    # ---------------------------------------------------------------- remote components
    def children(self, node: Node) -> list[Node]:
        """The resources registered with ``node`` as their parent."""
        return list(self._children.get(node.urn, ()))

    def is_opaque(self, node: Node) -> bool:
        """True for a remote component whose children are not in the graph (as under mocks).

        Judge such a component from its own inputs; a remote component whose children
        are visible is judged through them, and its inputs are ignored.
        """
        return is_remote_component_type(node.type) and not self._children.get(node.urn)

    def remote_ancestor(self, node: Node) -> Optional[Node]:
        """The nearest remote component ``node`` was created by (None for the program's own resources)."""
        for a in self.ancestors(node):
            if is_remote_component_type(a.type):
                return a
        return None

    def judged_nodes(self, *types: str) -> list[Node]:
        """Nodes of ``types`` (all when none) a policy should judge: never an expanded remote component.

        The program's resources and the children of an expanded component are judged
        themselves; a remote component is judged only while it is opaque.
        """
        nodes = self.of_type(*types) if types else list(self.nodes)
        return [n for n in nodes if not is_remote_component_type(n.type) or self.is_opaque(n)]
