"""Which files of a folder ``docker build`` sends as its context, per the folder's ``.dockerignore``.

A port of Docker's own rules, so that a digest over the result changes exactly when the
context Docker sends changes:

- reading the file: moby/patternmatcher ``ignorefile.ReadAll`` (a UTF-8 BOM is dropped,
  lines starting with ``#`` are comments, whitespace is trimmed, each pattern is cleaned
  like Go's ``filepath.Clean`` and a leading ``/`` removed, ``!`` re-includes);
- matching: moby/patternmatcher ``Pattern.compile`` / ``MatchesOrParentMatches`` (``*`` and
  ``?`` never cross a ``/``, ``**`` crosses any number of levels, a pattern that matches a
  parent folder excludes everything in it, and the last matching pattern wins). Note what
  that means: ``*.pyc`` matches only at the top of the context; ``**/*.pyc`` at any depth.

Docker always sends the Dockerfile and the ``.dockerignore`` itself, even when a pattern
excludes them (https://docs.docker.com/build/concepts/context/#dockerignore-files).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = ".dockerignore"


@dataclass(frozen=True)
class Pattern:
    """One cleaned pattern: how it matches, as patternmatcher's ``matchType`` decides."""

    text: str
    exclusion: bool
    kind: str  # "exact" | "prefix" | "suffix" | "regexp"
    regexp: re.Pattern[str] | None

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        assert self.regexp is not None
        return self.regexp.search(path) is not None


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` on a slash path (``posixpath.normpath`` keeps a leading ``//``)."""
    if not path:
        return "."
    cleaned = os.path.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def read_patterns(text: str) -> list[str]:
    """The patterns of a ``.dockerignore``'s text, as ``ignorefile.ReadAll`` returns them."""
    patterns = []
    for number, line in enumerate(text.splitlines()):
        if number == 0:
            line = line.removeprefix("\ufeff")
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = go_clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        patterns.append("!" + line if invert else line)
    return patterns


def compile_pattern(raw: str) -> Pattern:
    """One pattern as ``patternmatcher.New`` and ``Pattern.compile`` build it."""
    text = go_clean(raw.strip())
    exclusion = text.startswith("!")
    if exclusion:
        if text == "!":
            raise ValueError('illegal exclusion pattern: "!"')
        text = text[1:]
    regex, kind, i = "^", "exact", 0
    chars = list(text)
    pos = 0
    while pos < len(chars):
        ch = chars[pos]
        pos += 1
        if ch == "*":
            if pos < len(chars) and chars[pos] == "*":
                pos += 1
                if pos < len(chars) and chars[pos] == "/":
                    pos += 1
                if pos >= len(chars):
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        regex += ".*"
                        kind = "regexp"
                else:
                    regex += "(.*/)?"
                    kind = "regexp"
                if i == 0:
                    kind = "suffix"
            else:
                regex += "[^/]*"
                kind = "regexp"
        elif ch == "?":
            regex += "[^/]"
            kind = "regexp"
        elif ch in ".+()|{}$":
            regex += "\\" + ch
        elif ch == "\\":
            if pos < len(chars):
                regex += "\\" + chars[pos]
                pos += 1
                kind = "regexp"
            else:
                regex += "\\\\"
        elif ch in "[]":
            regex += ch
            kind = "regexp"
        else:
            regex += ch
        i += 1
    compiled = None
    if kind == "regexp":
        try:
            compiled = re.compile(regex + "$")
        except re.error as exc:
            raise ValueError(f"bad .dockerignore pattern {raw!r}: {exc}") from None
    return Pattern(text=text, exclusion=exclusion, kind=kind, regexp=compiled)


def excluded(path: str, patterns: list[Pattern]) -> bool:
    """``MatchesOrParentMatches``: whether ``path`` (context-relative, ``/``-separated) is left out."""
    matched = False
    parent = os.path.dirname(path) or "."
    parent_dirs = parent.split("/")
    for pattern in patterns:
        if pattern.exclusion != matched:
            continue
        match = pattern.match(path)
        if not match and parent != ".":
            match = any(pattern.match("/".join(parent_dirs[: i + 1])) for i in range(len(parent_dirs)))
        if match:
            matched = not pattern.exclusion
    return matched


def context_files(context: Path, dockerfile: Path | None = None) -> dict[str, Path]:
    """Context-relative name -> path of every file ``docker build`` sends, sorted by name.

    Files only (a folder is sent as the files in it), symbolic links included as links
    (``os.walk`` does not descend into linked folders, as Docker sends the link itself).
    """
    ignore = context / IGNORE_FILE
    patterns = [compile_pattern(p) for p in read_patterns(ignore.read_text())] if ignore.is_file() else []
    always = {IGNORE_FILE}
    dockerfile = dockerfile or context / "Dockerfile"
    if dockerfile.resolve().is_relative_to(context.resolve()):
        always.add(dockerfile.resolve().relative_to(context.resolve()).as_posix())
    files = {}
    for folder, dirs, names in os.walk(context):
        dirs.sort()
        for name in names + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            path = Path(folder) / name
            rel = path.relative_to(context).as_posix()
            if rel in always or not excluded(rel, patterns):
                files[rel] = path
    return dict(sorted(files.items()))
