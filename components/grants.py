"""Who a ``grant_*`` helper grants to: a resource object, a name or an ARN.

Each grant is a child resource named after its grantee, so granting two roles makes
two policies, and granting the same role twice is the same grant (the helpers return
the first one) instead of a second resource with a clashing name.
"""

from __future__ import annotations

import re
from typing import Any, Union

import pulumi
import pulumi_aws as aws

from .config import ConfigError

#: A role to grant to: the ``aws.iam.Role``, its name, or its ARN.
RoleLike = Union[aws.iam.Role, str]
#: A queue to subscribe: the ``aws.sqs.Queue``, or its ARN.
QueueLike = Union[aws.sqs.Queue, str]

_ARN = re.compile(r"arn:[\w-]+:[\w-]+:[\w-]*:\d{0,12}:(?P<resource>.+)")


def _last_segment(arn_or_name: str) -> str:
    """``arn:aws:iam::1:role/path/ops`` -> ``ops``; ``arn:aws:sqs:r:1:jobs`` -> ``jobs``; a name -> itself."""
    m = _ARN.fullmatch(arn_or_name)
    if not m:
        return arn_or_name
    return re.split(r"[/:]", m["resource"])[-1]


def grantee_key(grantee: Any, method: str) -> str:
    """A short, stable name for ``grantee``, known when the program runs (it names a resource)."""
    if isinstance(grantee, pulumi.Resource):
        text = grantee._name  # the grantee's own logical name, which the program chose
    elif isinstance(grantee, str) and grantee:
        text = _last_segment(grantee)
    else:
        kind = "an Output" if isinstance(grantee, pulumi.Output) else f"{type(grantee).__name__} {grantee!r}"
        raise ConfigError([
            f"{method}() got {kind}: pass the resource itself, or its name or ARN as a plain string "
            "(the grant is a resource named after its grantee, so the name must be known when the program "
            "runs); for values known only at deployment use the tier's argument form instead "
            "(table_readers / alert_queues)"])
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-") or "grantee"


def role_name(role: Any) -> pulumi.Input[str]:
    """What an inline role policy's ``role`` takes: the role's name, from any form of ``role``."""
    if isinstance(role, aws.iam.Role):
        return role.id  # an IAM role's id is its name
    if isinstance(role, pulumi.Output):
        return role.apply(_last_segment)
    return _last_segment(role)
