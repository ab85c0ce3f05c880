"""ACM certificate ARNs: the shape AWS issues, and the placeholders that have that shape but name no certificate.

A placeholder passes any format check and fails only at ``pulumi up``, when AWS is asked to attach
it to a listener. So a value whose account is all zeros or one of the example accounts AWS's own
documentation uses, or whose certificate id is all zeros, is refused as a config error that says
what to set, before anything is created.
"""

from __future__ import annotations

import re
from typing import Callable, Union

from .schema import config_set_command

#: The ARN ACM returns for a certificate: ``arn:<partition>:acm:<region>:<account>:certificate/<uuid>``
#: (AWS General Reference, "Amazon Resource Names": ACM's resource type is ``certificate/<id>``).
ACM_CERTIFICATE_ARN = r"arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}"

#: Account ids AWS's documentation uses in its examples: 123456789012 (the IAM User Guide's policy
#: examples and ARN reference), 012345678901 (the Account Management Reference Guide, "View AWS
#: account identifiers"), 111122223333 and 444455556666 (the IAM User Guide's Principal element and
#: the KMS Developer Guide's key policies), 987654321098 (cross-account examples, e.g. the
#: Application Recovery Controller guide). No certificate of yours lives in one of them.
DOCUMENTATION_ACCOUNTS = frozenset({"123456789012", "012345678901", "111122223333", "444455556666",
                                    "987654321098"})

_PARTS = re.compile(r"arn:aws[\w-]*:acm:[a-z0-9-]+:(?P<account>\d{12}):certificate/(?P<id>[A-Za-z0-9-]+)")


def placeholder_reasons(arn: str) -> list[str]:
    """Why ``arn`` names no certificate (empty when it may be a real one)."""
    m = _PARTS.fullmatch(arn)
    if not m:
        return []
    reasons = []
    account, cert = m.group("account"), m.group("id")
    if set(account) == {"0"}:
        reasons.append(f"its account {account} is all zeros")
    elif account in DOCUMENTATION_ACCOUNTS:
        reasons.append(f"its account {account} is an example account of AWS's documentation")
    if set(cert.replace("-", "")) == {"0"}:
        reasons.append(f"its certificate id {cert} is all zeros")
    return reasons


def certificate_arn_check(full_key: str, pattern: str = ACM_CERTIFICATE_ARN) -> Callable[[object], Union[bool, str]]:
    """The check of a setting holding an ACM certificate ARN (``''`` for none), for ``Setting(check=...)``.

    True for ``''`` and a real-shaped ARN; False (the setting's ``allowed`` text) for anything
    that is not an ACM ARN; for a placeholder, the reason and the command that sets the key.
    """
    rx = re.compile(pattern)

    def check(value: object) -> Union[bool, str]:
        if value == "":
            return True
        if not isinstance(value, str) or not rx.fullmatch(value):
            return False
        reasons = placeholder_reasons(value)
        if not reasons:
            return True
        return (f"it is a placeholder, not a certificate: {' and '.join(reasons)}, so AWS would reject it when the "
                f"load balancer's TLS listener is created; set the ARN of your domain's ACM certificate (in the "
                f"stack's region) with `{config_set_command(full_key, '<arn>')}`")

    return check
