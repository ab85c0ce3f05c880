"""What every tier shares: child creation with a transform escape hatch, tags, policy JSON."""

import difflib
import fnmatch
import inspect
import json
import re
from typing import Any, Callable, Mapping, Optional, TypeVar

import pulumi
import pulumi_aws as aws

from .config import ConfigError

R = TypeVar("R", bound=pulumi.Resource)

#: A transform receives a child's keyword arguments and returns them changed (or
#: changes them in place and returns None). Keyed by the child's short name, e.g.
#: ``{"function": lambda a: {**a, "description": "ours"}}``.
Transform = Callable[[dict[str, Any]], Optional[dict[str, Any]]]

class TierComponent(pulumi.ComponentResource):
    """Base of the tiers: children are parented to the tier, tagged, and transformable.

    A tier declares, as class attributes:

    - ``tier``: its short name ("processing", ...), used in tags and settings tables;
    - ``type_token``: the Pulumi type it registers as, ``iot-tiers:index:<Class>`` in every language
      (the component package's own namespace); stacks created with an earlier token find their
      resources again through an alias (``previous_type_tokens``);
    - ``children``: the short names of every child it may create (``fnmatch`` patterns
      for the numbered ones), which are also the keys ``transform`` accepts;
    - its outputs, as annotated attributes (``table_name: pulumi.Output[str]`` with a
      docstring): :meth:`register_declared_outputs` registers exactly those, so the
      documented outputs, the attributes and the registered outputs are one list.
    """

    tier = ""
    type_token = ""
    previous_type_tokens = ()  # type: tuple[str, ...]
    children = ()  # type: tuple[str, ...]

    def __init__(self, name: str, tags: Optional[Mapping[str, str]],
                 transform: Optional[Mapping[str, Transform]], opts: Optional[pulumi.ResourceOptions]):
        self._transforms = dict(transform or {})
        self._check_transform_keys()
        aliases = [pulumi.Alias(type_=t) for t in self.previous_type_tokens]
        if aliases:
            opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(aliases=aliases), opts)
        super().__init__(self.type_token, name, None, opts)
        self._name = name
        self._created: list[str] = []
        self.base_tags = {"iot-tiers:tier": self.tier, "iot-tiers:component": name, **dict(tags or {})}

    def _check_transform_keys(self) -> None:
        unknown = [k for k in self._transforms if not any(fnmatch.fnmatchcase(k, p) for p in self.children)]
        if unknown:
            raise ConfigError([
                f"{self.tier}: transform key {k!r} names no child of {type(self).__name__}"
                + (f" (did you mean {near[0]!r}?)" if (near := difflib.get_close_matches(k, self.children, n=1))
                   else "")
                + f"; its children are: {', '.join(self.children)}"
                for k in unknown])

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
        self._created.append(short)
        name = f"{self._name}-{short}"
        _fit_auto_name(cls, name, kwargs)
        return cls(name, **kwargs, opts=merged)

    def tags(self, extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
        return {**self.base_tags, **dict(extra or {})}

    @classmethod
    def output_names(cls) -> list[str]:
        """The tier's declared outputs: its public annotated ``pulumi.Output`` attributes."""
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            for key, ann in inspect.get_annotations(klass).items():
                if not key.startswith("_") and "Output[" in str(ann) and key not in names:
                    names.append(key)
        return names

    def register_declared_outputs(self) -> dict[str, Any]:
        """Register every declared output that this configuration of the tier has (None: absent),
        and return them."""
        missing = [n for n in self.output_names() if not hasattr(self, n)]
        if missing:
            raise AttributeError(f"{type(self).__name__} declares outputs it never set: {', '.join(missing)}")
        outputs = {n: getattr(self, n) for n in self.output_names() if getattr(self, n) is not None}
        self.register_outputs(outputs)
        return outputs


#: Types whose physical name AWS caps at 32 characters. pulumi-aws auto-names a resource
#: "<logical name>-<7 random characters>" and refuses at preview one that would be longer, so a
#: tier named "dashboard-bridge" could not have its "target-group". Such a child gets a
#: ``name_prefix`` instead (AWS allows 6 characters), which keeps the random part, and with it
#: create-before-delete replacement.
_MAX_NAME = {aws.lb.LoadBalancer: 32, aws.lb.TargetGroup: 32}
_PREFIX_LEN = 6


def _fit_auto_name(cls: type, name: str, kwargs: dict[str, Any]) -> None:
    limit = _MAX_NAME.get(cls)
    if limit is None or kwargs.get("name") or kwargs.get("name_prefix") or len(name) + 8 <= limit:
        return
    prefix = re.sub(r"[^A-Za-z0-9-]", "", name)[:_PREFIX_LEN]
    kwargs["name_prefix"] = prefix


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
