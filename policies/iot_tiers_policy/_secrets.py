"""Telling a literal secret from a reference by what the value is.

Environment variables hold settings, and most settings that *name* a secret are not
one: a secret's name or ARN, a parameter path, an issuer URL, a TTL in seconds, a
mode. So a value is a secret when it has the shape of a credential:

* a known credential format: an AWS access key id (AKIA/ASIA...), a private key block,
  a JSON Web Token, a URL with a password in it, provider tokens (GitHub, Slack,
  Stripe, Google API keys), an AWS secret access key (40 base64 characters);
* a high-entropy token: 20+ characters drawn from a token alphabet, mixing letters and
  digits, with at least 4 bits of Shannon entropy per character;
* or, only where the variable's *name* says it is a secret, a value that looks like a
  typed password (8+ characters, no spaces, slashes or colons, mixing at least two of lower case, upper
  case, digits and symbols) rather than a name (words joined by - _ / .).

References never are: ARNs, ``{{resolve:...}}``, paths, URLs without credentials,
numbers and durations, and words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Optional

ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
_FORMATS = [
    ("an AWS access key id", ACCESS_KEY),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}")),
    ("a URL with a password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@[^\s/]+", re.I)),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
]
_SECRET_ACCESS_KEY = re.compile(r"^[A-Za-z0-9/+]{40}$")
_TOKEN = re.compile(r"^[A-Za-z0-9+/=_\-.~]{20,}$")
_REFERENCE = re.compile(
    r"^(arn:|\{\{resolve:|/|\.{0,2}/|[a-z][a-z0-9+.-]*://|ssm:|secretsmanager:|alias/)", re.I)
_NUMBER_OR_DURATION = re.compile(r"^-?\d+(\.\d+)?\s*(ms|s|m|h|d|w|sec|secs|seconds|minutes|hours|days|%|kb|mb|gb)?$", re.I)
_NAME = re.compile(r"^[A-Za-z0-9]+([-_./:][A-Za-z0-9]+)+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def entropy(text: str) -> float:
    """Shannon entropy of ``text`` in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _classes(text: str) -> int:
    return sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))


def credential_kind(value: str, *, name_says_secret: bool = False) -> Optional[str]:
    """What kind of credential ``value`` is ("a JSON Web Token", ...), or None for anything else."""
    text = value.strip()
    for kind, pattern in _FORMATS:
        if pattern.search(text):
            return kind
    if _REFERENCE.match(text) or _NUMBER_OR_DURATION.match(text) or _UUID.match(text):
        return None
    if _SECRET_ACCESS_KEY.match(text) and _classes(text) >= 3 and entropy(text) >= 4.0:
        return "an AWS secret access key"
    if _TOKEN.match(text) and re.search(r"[A-Za-z]", text) and re.search(r"[0-9]", text) \
            and entropy(text) >= 4.0 and not _NAME.match(text.lower()) or \
            (_TOKEN.match(text) and len(text) >= 32 and entropy(text) >= 4.5):
        return "a high-entropy token"
    if name_says_secret and len(text) >= 8 and not re.search(r"[\s/:]", text) and _classes(text) >= 2 \
            and not (_NAME.match(text) and text == text.lower()):
        return "a literal password"
    return None
