"""What pulumi-aws's provider refuses in the inputs themselves, before it asks AWS anything.

pulumi-aws is the Terraform AWS provider behind a bridge: the provider's schema
validations (``ValidateFunc``, framework ``Validators``, ``CustomizeDiff`` and
``ConfigValidators``) run on every ``pulumi preview``, and a failing one stops the
preview. The mocks run none of them, so the ones a team's program commonly trips
are repeated here, on the inputs as the program writes them (camelCase paths,
``[]`` for every item of a list). Each cites the provider source it follows
(hashicorp/terraform-provider-aws, ``internal/...``).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional

from .._util import as_number, contains_unknown

Problem = Optional[str]
TF = "terraform-provider-aws"


@dataclass(frozen=True)
class InputRule:
    types: tuple[str, ...]
    path: str                          # input path, ``[]`` for list items; "" for a rule over several inputs
    check: Callable[[Any], Problem]    # gets the value at ``path`` (or all inputs when path is "")
    source: str
    kind: str = "provider"
    inputs: str = ""                   # for a rule over several inputs: the inputs it reads, as written
    what: str = ""                     # the rule in a few words (docs/aws-rules.md)


# ---------------------------------------------------------------- single values

def _network_address(version: int) -> Callable[[Any], Problem]:
    """``verify.ValidCIDRNetworkAddress`` / ``fwvalidators.IPv4CIDRNetworkAddress``: a CIDR that names a network."""
    def check(value: Any) -> Problem:
        if not isinstance(value, str):
            return None
        example = "10.0.0.0/16" if version == 4 else "2001:db8::/56"
        try:
            if "/" not in value:  # Go's net.ParseCIDR wants the prefix length
                raise ValueError(value)
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f"is not a CIDR block (an IPv{version} address, '/' and a prefix length, e.g. {example})"
        if net.version != version:
            return f"is an IPv{net.version} CIDR block; this input takes IPv{version}"
        if net.network_address != ipaddress.ip_interface(value).ip:
            return f"is not the network address of its block; did you mean {str(net)!r}?"
        return None
    return check


def _policy_json(value: Any) -> Problem:
    """``verify.ValidIAMPolicyJSON``: a JSON object, with no leading white space."""
    if not isinstance(value, str):
        return None  # an object: the SDK serialises it
    if not value:
        return "is an empty string, which is not a JSON policy document"
    if not value.startswith("{"):
        return "is not a JSON policy document: it must begin with '{' (no leading white space)"
    try:
        json.loads(value)
    except ValueError as exc:
        return f"is not valid JSON ({exc})"
    return None


def _container_definitions(value: Any) -> Problem:
    """``validTaskDefinitionContainerDefinitions``: a JSON array of container definitions."""
    if not isinstance(value, str):
        return None
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        return f"is not valid JSON ({exc}); it must be a JSON array of container definitions"
    if not isinstance(parsed, list):
        return "is not a JSON array: containerDefinitions is a list of container definitions"
    return None


def _json(value: Any) -> Problem:
    """``validation.StringIsJSON``: any JSON value."""
    if not isinstance(value, str):
        return None
    try:
        json.loads(value)
    except ValueError as exc:
        return f"is not valid JSON ({exc})"
    return None


def _recovery_window(value: Any) -> Problem:
    n = as_number(value)
    if n is not None and not (n == 0 or 7 <= n <= 30):
        return "is not a recovery window Secrets Manager accepts: 0 (delete at once) or 7 to 30 days"
    return None


def _port(value: Any) -> Problem:
    n = as_number(value)
    if n is not None and not -1 <= n <= 65535:
        return "is not a port: the provider allows -1 (all) to 65535"
    return None


# ---------------------------------------------------------------- several inputs of one resource

def _known(*values: Any) -> bool:
    return not any(contains_unknown(v) for v in values)


def _exactly_one_source(inputs: Mapping[str, Any]) -> Problem:
    """aws_vpc_security_group_*_rule ``ConfigValidators``: ExactlyOneOf the four sources."""
    given = [k for k in ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
             if inputs.get(k) is not None]
    if len(given) != 1:
        return (f"sets {', '.join(given) if given else 'none of them'}; a rule takes exactly one of cidrIpv4, "
                "cidrIpv6, prefixListId, referencedSecurityGroupId (one resource per source)")
    return None


def _table_keys(table: Mapping[str, Any]) -> Iterable[str]:
    for key in ("hashKey", "rangeKey"):
        if isinstance(table.get(key), str):
            yield table[key]
    for index in table.get("globalSecondaryIndexes") or []:
        if isinstance(index, dict):
            yield from (index[k] for k in ("hashKey", "rangeKey") if isinstance(index.get(k), str))
    for index in table.get("localSecondaryIndexes") or []:
        if isinstance(index, dict) and isinstance(index.get("rangeKey"), str):
            yield index["rangeKey"]


def _table_attributes(inputs: Mapping[str, Any]) -> Problem:
    """``validateTableAttributes``: every attribute is a key of the table or an index, every key an attribute."""
    attrs = inputs.get("attributes")
    if not isinstance(attrs, list) or not _known(attrs, inputs.get("hashKey"), inputs.get("rangeKey"),
                                                 inputs.get("globalSecondaryIndexes"),
                                                 inputs.get("localSecondaryIndexes")):
        return None
    defined = {a.get("name") for a in attrs if isinstance(a, dict)}
    keys = set(_table_keys(inputs))
    unused, undefined = sorted(defined - keys - {None}), sorted(keys - defined)
    problems = []
    if unused:
        problems.append(f"attributes {unused} are not a key of the table or of an index (DynamoDB defines "
                        "only key attributes up front)")
    if undefined:
        problems.append(f"keys {undefined} have no entry in attributes")
    return "; ".join(problems) or None


def _table_capacity(inputs: Mapping[str, Any]) -> Problem:
    """``validateProvisionedThroughputField``: PROVISIONED (the default) needs both capacities, on demand neither."""
    mode = inputs.get("billingMode", "PROVISIONED")
    read, write = inputs.get("readCapacity"), inputs.get("writeCapacity")
    if not _known(mode, read, write):
        return None
    if mode == "PROVISIONED":
        missing = [k for k, v in (("readCapacity", read), ("writeCapacity", write)) if (as_number(v) or 0) < 1]
        if missing:
            how = "billingMode is PROVISIONED" if "billingMode" in inputs else \
                "billingMode is left at its default, PROVISIONED"
            return f"{' and '.join(missing)} must be at least 1 when {how} (or set billingMode PAY_PER_REQUEST)"
    elif mode == "PAY_PER_REQUEST":
        given = [k for k, v in (("readCapacity", read), ("writeCapacity", write)) if (as_number(v) or 0) != 0]
        if given:
            return f"{' and '.join(given)} cannot be set when billingMode is PAY_PER_REQUEST"
    return None


SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_RULES = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
             "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
TABLE = "aws:dynamodb/table:Table"

RULES: tuple[InputRule, ...] = (
    *(InputRule((SG,), f"{direction}[].{field}[]", _network_address(version),
                f"{TF} internal/service/ec2/vpc_security_group.go {direction} {snake} ValidateFunc "
                "verify.ValidCIDRNetworkAddress", what="a CIDR block that is a network address")
      for direction in ("ingress", "egress")
      for field, snake, version in (("cidrBlocks", "cidr_blocks", 4), ("ipv6CidrBlocks", "ipv6_cidr_blocks", 6))),
    *(InputRule((SG_RULE,), f"{field}[]", _network_address(version),
                f"{TF} internal/service/ec2/vpc_security_group_rule.go {snake} ValidateFunc "
                "verify.ValidCIDRNetworkAddress", what="a CIDR block that is a network address")
      for field, snake, version in (("cidrBlocks", "cidr_blocks", 4), ("ipv6CidrBlocks", "ipv6_cidr_blocks", 6))),
    InputRule(VPC_RULES, "cidrIpv4", _network_address(4),
              f"{TF} internal/service/ec2/vpc_security_group_ingress_rule.go cidr_ipv4 Validators "
              "fwvalidators.IPv4CIDRNetworkAddress", what="an IPv4 CIDR block that is a network address"),
    InputRule(VPC_RULES, "cidrIpv6", _network_address(6),
              f"{TF} internal/service/ec2/vpc_security_group_ingress_rule.go cidr_ipv6 Validators "
              "fwvalidators.IPv6CIDRNetworkAddress", what="an IPv6 CIDR block that is a network address"),
    *(InputRule(VPC_RULES, port, _port,
                f"{TF} internal/service/ec2/vpc_security_group_ingress_rule.go {snake} int64validator.Between(-1, 65535)",
                what="-1 to 65535")
      for port, snake in (("fromPort", "from_port"), ("toPort", "to_port"))),
    InputRule(VPC_RULES, "", _exactly_one_source,
              f"{TF} internal/service/ec2/vpc_security_group_ingress_rule.go ConfigValidators ExactlyOneOf",
              "cross-field", "cidrIpv4, cidrIpv6, prefixListId, referencedSecurityGroupId",
              what="exactly one source per rule"),
    InputRule(("aws:iam/role:Role",), "assumeRolePolicy", _policy_json,
              f"{TF} internal/service/iam/role.go assume_role_policy ValidateFunc verify.ValidIAMPolicyJSON",
              what="a JSON policy document"),
    InputRule(("aws:iam/role:Role",), "inlinePolicies[].policy", _policy_json,
              f"{TF} internal/service/iam/role.go inline_policy policy ValidateFunc verify.ValidIAMPolicyJSON",
              what="a JSON policy document"),
    InputRule(("aws:iam/rolePolicy:RolePolicy",), "policy", _policy_json,
              f"{TF} internal/service/iam/role_policy.go policy ValidateFunc verify.ValidIAMPolicyJSON",
              what="a JSON policy document"),
    InputRule(("aws:iam/policy:Policy",), "policy", _policy_json,
              f"{TF} internal/service/iam/policy.go policy ValidateFunc verify.ValidIAMPolicyJSON",
              what="a JSON policy document"),
    InputRule(("aws:sqs/queuePolicy:QueuePolicy",), "policy", _json,
              f"{TF} internal/service/sqs/queue_policy.go policy ValidateFunc validation.StringIsJSON",
              what="valid JSON"),
    InputRule(("aws:secretsmanager/secret:Secret",), "recoveryWindowInDays", _recovery_window,
              f"{TF} internal/service/secretsmanager/secret.go recovery_window_in_days ValidateFunc "
              "validation.Any(IntBetween(7, 30), IntInSlice(0))", what="0 or 7 to 30 days"),
    InputRule(("aws:ecs/taskDefinition:TaskDefinition",), "containerDefinitions", _container_definitions,
              f"{TF} internal/service/ecs/task_definition.go container_definitions ValidateFunc "
              "validTaskDefinitionContainerDefinitions", what="a JSON array"),
    InputRule((TABLE,), "", _table_attributes,
              f"{TF} internal/service/dynamodb/table.go CustomizeDiff validateTableAttributes",
              "cross-field", "attributes, hashKey, rangeKey, globalSecondaryIndexes, localSecondaryIndexes",
              what="every attribute is a key, every key an attribute"),
    InputRule((TABLE,), "", _table_capacity,
              f"{TF} internal/service/dynamodb/table.go CustomizeDiff validateProvisionedThroughputField",
              "cross-field", "billingMode, readCapacity, writeCapacity",
              what="PROVISIONED (the default) needs both capacities, PAY_PER_REQUEST neither"),
)

_BY_TYPE: dict[str, list[InputRule]] = {}
for _rule in RULES:
    for _t in _rule.types:
        _BY_TYPE.setdefault(_t, []).append(_rule)


def input_rules_for(typ: str) -> list[InputRule]:
    return _BY_TYPE.get(typ, [])


__all__ = ["InputRule", "RULES", "input_rules_for"]
