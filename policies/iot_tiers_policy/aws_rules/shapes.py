"""botocore's service models, read as the rules AWS applies to a request.

A request parameter is checked against its shape the way the service checks it:
types, enums, string lengths and patterns (matched whole, as AWS's Java validators
do), numeric ranges, list and map sizes, and required members. botocore's own
``ParamValidator`` checks only types, minimums and required members (a client
must not refuse what a newer service accepts); the service itself checks the
rest, and that is what a first ``pulumi up`` runs into. A type that cannot be sent
(``"lots"`` for an integer) is refused earlier still, by the Terraform provider
when it reads the inputs; under the mocks nothing refuses it, so it is reported too.

Values this module cannot judge are passed over, never reported: unknowns (the
engine's sentinels, not known until a dependency exists; :attr:`Validator.unknown`
lists where they were, for the "not checkable at preview" count) and patterns that
do not translate to Python.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

from .model import service_model

try:  # botocore's patterns use Unicode classes (\p{L}) that only `regex` knows.
    import regex as _regex
except ImportError:  # pragma: no cover - regex is in the pack's requirements
    _regex = None


@dataclass(frozen=True)
class ShapeFinding:
    """One value AWS would refuse, found against one member of one operation's input."""

    kind: str        # type | enum | length | pattern | range | size | required
    api_path: str    # e.g. "PolicyDetails.Schedules[0].Name"
    value: Any
    problem: str     # what is wrong, and what AWS allows
    shape: str       # the botocore shape name, e.g. "ScheduleName"


def input_shape(service: str, operation: str) -> Any:
    return service_model(service).input_shape(operation)


def api_version(service: str) -> str:
    return service_model(service).api_version


#: Java-only spellings in botocore patterns: (spelling, inside a [...] class, standing alone).
_JAVA_CLASSES = (
    (r"\uD800\uDC00-\uDBFF\uDFFF", r"\U00010000-\U0010FFFF", None),  # the supplementary planes, as surrogates
    (r"\p{all}", r"\s\S", r"[\s\S]"),                                  # any character
    (r"\p{Print}", r"\x20-\x7E", r"[\x20-\x7E]"),                       # Java's POSIX class is ASCII only
)
#: A pattern that is one character class with a quantifier: its offending characters can be named.
_ONE_CLASS = re.compile(r"\^?\(?\[(?:\\.|[^\]\\])*\][*+]\)?\$?")


def _translate(pattern: str) -> str:
    out, i, in_class = [], 0, False
    while i < len(pattern):
        for java, inside, alone in _JAVA_CLASSES:
            if pattern.startswith(java, i) and (in_class or alone is not None):
                out.append(inside if in_class else alone)
                i += len(java)
                break
        else:
            ch = pattern[i]
            if ch == "\\":
                out.append(pattern[i:i + 2])
                i += 2
                continue
            if ch == "[" and not in_class:
                in_class = True
            elif ch == "]" and in_class:
                in_class = False
            out.append(ch)
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=None)
def compiled(pattern: str) -> Optional[Callable[[str], Any]]:
    """A whole-string matcher for a botocore pattern, or None when it cannot be translated.

    AWS matches a pattern against the whole value (Java's ``matches``), so ``fullmatch``.
    """
    text = _translate(pattern)
    engine = _regex if _regex is not None else re
    if engine is re and r"\p{" in text:
        return None
    try:
        return engine.compile(text).fullmatch
    except Exception:  # noqa: BLE001 - an untranslatable pattern is not checked, never a crash
        return None


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bad_characters(value: str, pattern: str, match: Callable[[str], Any]) -> str:
    """The characters of ``value`` a one-class pattern (``[0-9A-Za-z _-]+``) refuses; "" for other patterns."""
    if not _ONE_CLASS.fullmatch(pattern) or len(value) > 4096:
        return ""
    return "".join(sorted({ch for ch in value if not match(ch)}))


class Validator:
    """Walks a request against an input shape; ``is_unknown`` tells which leaves to pass over."""

    def __init__(self, is_unknown: Callable[[Any], bool]) -> None:
        self.is_unknown = is_unknown
        #: API paths whose value was unknown (not known until a dependency exists): not checked.
        self.unknown: list[str] = []

    def check(self, value: Any, shape: Any, path: str, *, exempt: frozenset[str] = frozenset()
              ) -> Iterator[ShapeFinding]:
        """Findings for ``value`` against ``shape``; ``exempt`` lists required members the provider fills
        (paths like ``"Code"`` or ``"LaunchTemplateData.ImageId"``, list indexes written ``[]``)."""
        if value is None:
            return
        if self.is_unknown(value):
            self.unknown.append(path)
            return
        kind = shape.type_name
        wrong = _wrong_type(value, kind)
        if wrong:
            yield ShapeFinding("type", path, value, wrong, shape.name)
            return
        if kind == "structure":
            yield from self._structure(value, shape, path, exempt)
        elif kind == "list":
            yield from self._list(value, shape, path, exempt)
        elif kind == "map":
            yield from self._map(value, shape, path, exempt)
        elif kind == "string":
            yield from self._string(value, shape, path)
        elif kind in ("integer", "long", "double", "float"):
            yield from self._number(value, shape, path)

    def _structure(self, value, shape, path, exempt):
        if not isinstance(value, dict):
            return
        members = shape.members
        for name in shape.required_members:
            where = _join(path, name)
            if value.get(name) is None and _generic(where) not in exempt:
                yield ShapeFinding("required", where, None,
                                   f"is not set: {shape.name} requires {name}", members[name].name)
        for name, item in value.items():
            if name in members:
                yield from self.check(item, members[name], _join(path, name), exempt=exempt)

    def _list(self, value, shape, path, exempt):
        if not isinstance(value, list):
            return
        yield from _size(value, shape, path, "item", "items")
        for i, item in enumerate(value):
            yield from self.check(item, shape.member, f"{path}[{i}]", exempt=exempt)

    def _map(self, value, shape, path, exempt):
        if not isinstance(value, dict):
            return
        yield from _size(value, shape, path, "entry", "entries")
        for key, item in value.items():
            if isinstance(key, str) and self.is_unknown(key):
                self.unknown.append(f"{path} key {key!r}")
            elif isinstance(key, str):
                for f in self._string(key, shape.key, f"{path} key {key!r}"):
                    yield f
            yield from self.check(item, shape.value, f"{path}[{key!r}]", exempt=exempt)

    def _string(self, value, shape, path):
        if not isinstance(value, str) or self.is_unknown(value):
            return
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            if len(enum) <= 12:
                shown = ", ".join(enum)
            else:  # a long list (runtimes, instance types): the nearest values say more than its head
                near = difflib.get_close_matches(value, enum, n=5, cutoff=0.5) or enum[:5]
                shown = f"{', '.join(near)}, ... ({len(enum)} in all)"
            yield ShapeFinding("enum", path, value, f"is not one of the values AWS accepts: {shown}", shape.name)
            return
        meta = shape.metadata
        n = len(value)
        if "min" in meta and n < meta["min"] or "max" in meta and n > meta["max"]:
            yield ShapeFinding("length", path, value,
                               f"is {n} characters long; AWS allows {_bounds(meta, 'characters')}", shape.name)
        elif "min" not in meta and "max" not in meta:
            documented = documented_bounds(shape)
            if documented and not documented[0] <= n <= documented[1]:
                bounds = {"min": documented[0], "max": documented[1]}
                yield ShapeFinding("length", path, value,
                                   f"is {n} characters long; AWS allows {_bounds(bounds, 'characters')} (the "
                                   f"shape's documentation: {documented[2]!r})", shape.name)
        pattern = meta.get("pattern")
        if pattern:
            match = compiled(pattern)
            if match is not None and not match(value):
                bad = _bad_characters(value, pattern, match)
                why = f" (characters not allowed: {bad!r})" if bad else ""
                yield ShapeFinding("pattern", path, value,
                                   f"does not match the pattern AWS requires, {pattern}{why}", shape.name)

    def _number(self, value, shape, path):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        meta = shape.metadata
        if "min" in meta and value < meta["min"] or "max" in meta and value > meta["max"]:
            yield ShapeFinding("range", path, value, f"is out of range; AWS allows {_bounds(meta, '')}".rstrip(),
                               shape.name)


#: What each botocore type takes, as the message says it.
_KINDS = {"integer": "a whole number", "long": "a whole number", "double": "a number", "float": "a number",
          "boolean": "true or false", "structure": "an object (a block of named inputs)",
          "map": "an object (a map of keys to values)"}


def _python_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _wrong_type(value: Any, kind: str) -> str:
    """Why ``value`` cannot be sent as a botocore ``kind``, or "" when it can.

    Values arrive after :func:`~.convert.scalar`, which already converts what the provider
    converts (``"512"`` to 512, ``"true"`` to True, numbers to strings). Strings take anything
    here: a document input given as an object is serialised to JSON by the SDK. Lists take a
    single value (the converter wraps it). What is left is what the Terraform provider refuses
    when it reads the inputs (``expected type int``), before AWS is asked.
    """
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()
    elif kind in ("double", "float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind in ("structure", "map"):
        ok = isinstance(value, dict)
    else:
        return ""
    return "" if ok else f"is {_python_kind(value)}; AWS takes {_KINDS[kind]} here"


_DOCUMENTED_LENGTH = re.compile(r"A string with a length between \[(\d+)-(\d+)\]")


def documented_bounds(shape: Any) -> Optional[tuple[int, int, str]]:
    """(min, max, sentence) for a string shape whose model states its length only in its documentation.

    API Gateway v2's model does this for its ``StringWithLengthBetween1And128``-style shapes
    ("A string with a length between [1-128]."), which carry no ``min``/``max`` of their own.
    """
    spec = getattr(shape, "spec", None)
    doc = spec.get("documentation", "") if isinstance(spec, dict) else ""
    match = _DOCUMENTED_LENGTH.search(doc) if "length between" in doc else None
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), match.group(0)


def _size(value: Any, shape: Any, path: str, one: str, many: str) -> Iterator[ShapeFinding]:
    meta, n = shape.metadata, len(value)
    if "min" in meta and n < meta["min"] or "max" in meta and n > meta["max"]:
        yield ShapeFinding("size", path, value, f"has {n} {one if n == 1 else many}; AWS allows "
                           f"{_bounds(meta, many)}", shape.name)


def _bounds(meta: dict, unit: str) -> str:
    lo, hi = meta.get("min"), meta.get("max")
    unit = f" {unit}" if unit else ""
    if lo is not None and lo == hi:
        return f"exactly {_num(lo)}{' item' if lo == 1 and unit == ' items' else unit}"
    if lo is not None and hi is not None:
        return f"{_num(lo)} to {_num(hi)}{unit}"
    if lo is not None:
        return f"at least {_num(lo)}{unit}"
    return f"at most {_num(hi)}{unit}"


def _num(x: Any) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_INDEX = re.compile(r"\[\d+\]")


def _generic(path: str) -> str:
    """``A.B[3].C`` -> ``A.B[].C``: the form exemptions are written in."""
    return _INDEX.sub("[]", path)


__all__ = ["ShapeFinding", "Validator", "api_version", "compiled", "documented_bounds", "input_shape", "service_model"]
