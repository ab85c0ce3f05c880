"""MQTT topic names and topic filters, exactly as MQTT 3.1.1 / 5.0 define them (section 4.7).

Pure functions and one index; no I/O. Everything that decides *which* message goes *where*
goes through here, so it is tested on its own, including property tests.

Rules implemented:
- a level separator ``/`` splits a topic into levels; empty levels are legal (``a//b``, ``/a``);
- ``+`` matches exactly one level (an empty one too) and must fill its whole level;
- ``#`` matches the parent level and any number of child levels; it must be the last level
  and fill it (``a/#`` matches ``a``, ``a/b``, ``a/b/c``);
- a filter whose first character is a wildcard (``+`` or ``#``) does not match topics that
  begin with ``$`` (``$SYS/...``, ``$aws/...``); ``$SYS/#`` does;
- topic names (what is published) contain no wildcards;
- names and filters are 1..65535 UTF-8 bytes and never contain U+0000.
Shared subscriptions (``$share/group/filter``) are not dashboard business and are refused.
"""

from __future__ import annotations

from typing import Iterable

MAX_TOPIC_BYTES = 65535


class InvalidTopic(ValueError):
    """A topic name or topic filter breaks the MQTT rules; the message says which rule."""


def _check_common(kind: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidTopic(f"{kind} must be a string, got {type(value).__name__}")
    if not value:
        raise InvalidTopic(f"{kind} must not be empty")
    if "\x00" in value:
        raise InvalidTopic(f"{kind} {value!r} contains U+0000, which MQTT forbids")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_TOPIC_BYTES:
        raise InvalidTopic(f"{kind} is longer than {MAX_TOPIC_BYTES} UTF-8 bytes")
    return value


def validate_filter(value: object) -> str:
    """Return ``value`` if it is a valid MQTT topic filter, else raise :class:`InvalidTopic`.

    Args:
        value: the candidate filter, e.g. ``"devices/+/telemetry"`` or ``"tenants/t1/#"``.
    """
    filt = _check_common("topic filter", value)
    if filt.startswith("$share/"):
        raise InvalidTopic(f"topic filter {filt!r}: shared subscriptions ($share/...) are not allowed")
    levels = filt.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            raise InvalidTopic(f"topic filter {filt!r}: '#' must be the whole last level (e.g. 'devices/#')")
        if "+" in level and level != "+":
            raise InvalidTopic(f"topic filter {filt!r}: '+' must fill a whole level (e.g. 'devices/+/telemetry')")
    return filt


def validate_topic(value: object) -> str:
    """Return ``value`` if it is a valid MQTT topic name (no wildcards), else raise.

    Args:
        value: the candidate topic name, e.g. ``"devices/d1/telemetry"``.
    """
    topic = _check_common("topic name", value)
    if "+" in topic or "#" in topic:
        raise InvalidTopic(f"topic name {topic!r} must not contain the wildcards '+' or '#'")
    return topic


def topic_matches(filt: str, topic: str) -> bool:
    """Whether MQTT topic filter ``filt`` matches topic name ``topic`` (both assumed valid).

    Args:
        filt: a topic filter, e.g. ``"devices/+/telemetry"``.
        topic: a topic name, e.g. ``"devices/d1/telemetry"``.
    """
    if topic[:1] == "$" and filt[:1] in ("+", "#"):
        return False
    f_levels = filt.split("/")
    t_levels = topic.split("/")
    n_topic = len(t_levels)
    for i, level in enumerate(f_levels):
        if level == "#":
            return True  # '#' also matches the parent level, so no length check
        if i >= n_topic:
            return False
        if level != "+" and level != t_levels[i]:
            return False
    return len(f_levels) == n_topic


def _is_wild(level: str) -> bool:
    return level == "+" or level == "#"


def filter_subsumes(outer: str, inner: str) -> bool:
    """Whether every topic that ``inner`` matches is also matched by ``outer``.

    This is the authorisation test: a client whose token claims ``outer`` may subscribe to
    ``inner``. Equality is not required: ``devices/+/telemetry`` subsumes
    ``devices/d1/telemetry`` but not ``devices/#``; ``#`` does not subsume ``$SYS/#``.

    Args:
        outer: the broader filter (a claimed filter), assumed valid.
        inner: the requested filter, assumed valid.
    """
    o = outer.split("/")
    n = inner.split("/")
    # Filters starting with a wildcard never match $-topics; inner may only reach $-topics
    # through a literal first level that starts with '$'.
    if _is_wild(o[0]) and not _is_wild(n[0]) and n[0].startswith("$"):
        return False
    for i, n_level in enumerate(n):
        if i >= len(o):
            return False  # inner matches deeper topics than outer can reach
        o_level = o[i]
        if o_level == "#":
            return True
        if n_level == "#":
            # inner reaches its parent level and everything below; only an outer '#' does,
            # unless that parent is not a valid topic: '#' (i == 0) has no parent, and the
            # parent of '/#' is the empty topic. Then '+/#' covers '#' and '/+/#' covers '/#'.
            parent_invalid = i == 0 or (i == 1 and n[0] == "")
            return parent_invalid and o_level == "+" and len(o) == i + 2 and o[i + 1] == "#"
        if o_level == "+":
            continue  # '+' covers any single level, literal or '+'
        if n_level == "+" or n_level != o_level:
            return False
    # inner is exhausted; outer has more levels: only a trailing '#' also matches the parent.
    return len(o) == len(n) or (len(o) == len(n) + 1 and o[-1] == "#")


def filters_overlap(a: str, b: str) -> bool:
    """Whether some topic name is matched by both (valid) filters ``a`` and ``b``.

    Args:
        a: a topic filter.
        b: another topic filter.
    """
    x = a.split("/")
    y = b.split("/")
    for first, second in ((x, y), (y, x)):
        if _is_wild(first[0]) and not _is_wild(second[0]) and second[0].startswith("$"):
            return False
    for i in range(min(len(x), len(y))):
        if x[i] == "#" or y[i] == "#":
            return True
        if x[i] != "+" and y[i] != "+" and x[i] != y[i]:
            return False
    if len(x) == len(y):
        return True
    longer, shorter = (x, y) if len(x) > len(y) else (y, x)
    # The shorter filter only matches topics of its own length; the longer one reaches
    # that length only through a trailing '#' (which also matches its parent level)...
    if len(longer) != len(shorter) + 1 or longer[-1] != "#":
        return False
    # ...and '/#' with '+' would only share the empty topic, which is not a valid topic.
    return not (len(shorter) == 1 and shorter[0] == "+" and longer[0] == "")


def filter_join(a: str, b: str) -> str:
    """A filter that subsumes both overlapping filters ``a`` and ``b`` (see :func:`filters_overlap`).

    Levels that agree are kept, levels that differ become ``+``, and from the first level
    where either filter ends or has ``#`` on, ``#``. E.g. ``site/+/temp`` and ``site/a/#``
    give ``site/+/#``.

    Args:
        a: a topic filter.
        b: another topic filter.
    """
    x = a.split("/")
    y = b.split("/")
    out: list[str] = []
    for i in range(max(len(x), len(y))):
        if i >= len(x) or i >= len(y) or x[i] == "#" or y[i] == "#":
            out.append("#")
            break
        out.append(x[i] if x[i] == y[i] else "+")
    return "/".join(out)


def allowed_by_claims(requested: str, claims: Iterable[str]) -> bool:
    """Whether some claimed filter subsumes ``requested``.

    Args:
        requested: the filter a client asked for, assumed valid.
        claims: the filters its token grants.
    """
    return any(filter_subsumes(claim, requested) for claim in claims)


class _Node:
    __slots__ = ("children", "filter")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.filter: str | None = None


class FilterTrie:
    """A set of topic filters that answers "which of them match this topic" in O(levels).

    Used by the fan-out: one lookup per received message instead of one match per filter.
    """

    def __init__(self) -> None:
        self._root = _Node()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def __contains__(self, filt: str) -> bool:
        node = self._root
        for level in filt.split("/"):
            node = node.children.get(level)
            if node is None:
                return False
        return node.filter is not None

    def add(self, filt: str) -> bool:
        """Insert a (valid) filter; return True if it was not present yet."""
        node = self._root
        for level in filt.split("/"):
            child = node.children.get(level)
            if child is None:
                child = node.children[level] = _Node()
            node = child
        if node.filter is not None:
            return False
        node.filter = filt
        self._size += 1
        return True

    def discard(self, filt: str) -> bool:
        """Remove a filter, pruning empty branches; return True if it was present."""
        path = [self._root]
        levels = filt.split("/")
        for level in levels:
            child = path[-1].children.get(level)
            if child is None:
                return False
            path.append(child)
        if path[-1].filter is None:
            return False
        path[-1].filter = None
        self._size -= 1
        for depth in range(len(levels), 0, -1):
            node = path[depth]
            if node.filter is None and not node.children:
                del path[depth - 1].children[levels[depth - 1]]
            else:
                break
        return True

    def match(self, topic: str) -> list[str]:
        """All filters in the set that match topic name ``topic`` (each once, any order)."""
        levels = topic.split("/")
        n = len(levels)
        dollar = topic[:1] == "$"
        out: list[str] = []
        stack = [(self._root, 0)]
        while stack:
            node, i = stack.pop()
            children = node.children
            wild_ok = i > 0 or not dollar
            if wild_ok:
                hash_node = children.get("#")
                if hash_node is not None and hash_node.filter is not None:
                    out.append(hash_node.filter)
            if i == n:
                if node.filter is not None:
                    out.append(node.filter)
                continue
            if wild_ok:
                plus = children.get("+")
                if plus is not None:
                    stack.append((plus, i + 1))
            literal = children.get(levels[i])
            if literal is not None:
                stack.append((literal, i + 1))
        return out
