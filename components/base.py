"""What every tier shares: child creation with a transform escape hatch, tags, policy JSON."""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Optional, TypeVar

import pulumi

R = TypeVar("R", bound=pulumi.Resource)

#: A transform receives a child's keyword arguments and returns them changed (or
#: changes them in place and returns None). Keyed by the child's short name, e.g.
#: ``{"function": lambda a: {**a, "description": "ours"}}``.
Transform = Callable[[dict[str, Any]], Optional[dict[str, Any]]]

#: Keys every tier's args accept besides its settings.
COMMON_ARGS = ("tags", "transform")


class TierComponent(pulumi.ComponentResource):
    """Base of the three tiers: children are parented to the tier, tagged, and transformable."""

    #: The tier's short name ("processing", ...), used in tags and config tables.
    tier: str = ""

    def __init__(self, type_token: str, name: str, tags: Optional[Mapping[str, str]],
                 transform: Optional[Mapping[str, Transform]], opts: Optional[pulumi.ResourceOptions]):
        super().__init__(type_token, name, None, opts)
        self._name = name
        self._transforms = dict(transform or {})
        self.base_tags = {"iot-tiers:tier": self.tier, "iot-tiers:component": name, **dict(tags or {})}

    def child(self, cls: type[R], short: str, *, opts: Optional[pulumi.ResourceOptions] = None,
              **kwargs: Any) -> R:
        """Create a child resource named ``<tier name>-<short>``, parented to this tier.

        ``short`` is also the key of the ``transform`` argument that may rewrite
        the child's arguments before it is created.
        """
        fn = self._transforms.get(short)
        if fn is not None:
            changed = fn(kwargs)
            if changed is not None:
                kwargs = changed
        merged = pulumi.ResourceOptions(parent=self)
        if opts is not None:
            merged = pulumi.ResourceOptions.merge(merged, opts)
        return cls(f"{self._name}-{short}", **kwargs, opts=merged)

    def tags(self, extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
        return {**self.base_tags, **dict(extra or {})}


def policy_document(*statements: Mapping[str, Any]) -> pulumi.Output[str]:
    """An IAM policy document as JSON, from statements that may hold Outputs (ARNs)."""
    doc = {"Version": "2012-10-17", "Statement": [dict(s) for s in statements]}
    return pulumi.Output.json_dumps(doc)


def assume_role_policy(service: str) -> str:
    """Trust policy letting one AWS service principal assume a role."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    })


def allow(actions: list[str], resources: list[Any], sid: Optional[str] = None) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if sid:
        stmt["Sid"] = sid
    return stmt
