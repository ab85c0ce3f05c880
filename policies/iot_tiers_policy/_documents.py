"""Reading IAM policy documents: identity policies, trust policies and resource policies alike.

Documents arrive as JSON strings (or, from some programs, already as objects); a
statement's Action, Resource and principal lists may each be one value or a list.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Iterator

from ._util import as_list, json_value, require_known

#: An account as a principal: "123456789012", or arn:aws:iam::123456789012:root.
ACCOUNT_PRINCIPAL = re.compile(r"^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$")


def statements(document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(label, statement)`` for each statement: its Sid, or "statement N"."""
    if not isinstance(document, dict):
        return
    for i, st in enumerate(as_list(document.get("Statement"))):
        if isinstance(st, dict):
            yield str(st.get("Sid") or f"statement {i}"), st


def allows(document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The Allow statements of a document."""
    for label, st in statements(document):
        if st.get("Effect") == "Allow":
            yield label, st


def aws_principals(statement: dict[str, Any]) -> list[str]:
    """The ``AWS`` principals of a statement ("*" for ``Principal: "*"``)."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return [str(p) for p in as_list(principal.get("AWS"))]
    return []


def is_public(statement: dict[str, Any]) -> bool:
    """An Allow open to any principal with no condition."""
    return statement.get("Effect") == "Allow" and not statement.get("Condition") and "*" in aws_principals(statement)


def actions(statement: dict[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: dict[str, Any]) -> list[str]:
    return [str(r) for r in as_list(statement.get("Resource"))]


def action_matches(pattern: str, action: str) -> bool:
    """IAM's own matching: case-insensitive, ``*`` and ``?`` wildcards."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def granted(statement: dict[str, Any], candidates: list[str]) -> list[str]:
    """Which of ``candidates`` (``service:Action``) the statement's Action patterns grant."""
    patterns = actions(statement)
    return [c for c in candidates if any(action_matches(p, c) for p in patterns)]


def document_input(props: dict[str, Any], key: str = "policy") -> Any:
    """The JSON document in input ``key``, parsed; None when the input is not set.

    An unknown document raises the SDK's unknown error (the standard "can't run during preview").
    """
    raw = props.get(key)
    if raw is None:
        return None
    doc = json_value(raw)
    require_known(doc, key)
    return doc
