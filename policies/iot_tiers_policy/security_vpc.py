"""Security baseline for the network: VPC flow logs, the default VPC and security group, subnets, NACLs.

An ``awsx.ec2.Vpc`` is a component whose children a policy cannot see; its flow log
is a resource of the stack that depends on the VPC's id, so it is found all the same.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from ._util import as_bool, as_number, describe, dig, each, require_known, resource_policy, stack_policy
from .graph import Graph

VPC = "aws:ec2/vpc:Vpc"
AWSX_VPC = "awsx:ec2:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_VPC = "aws:ec2/defaultVpc:DefaultVpc"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SUBNET = "aws:ec2/subnet:Subnet"
NACL = "aws:ec2/networkAcl:NetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"

_OPEN = ("0.0.0.0/0", "::/0")
#: Administration and file-transfer ports no network ACL should open to the internet.
ADMIN_PORTS = {20: "FTP data", 21: "FTP", 22: "SSH", 3389: "RDP"}


def _flow_logs(graph: Graph, _config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for vpc in graph.of_type(VPC, AWSX_VPC):
        if not graph.dependents(vpc, "vpcId", types=[FLOW_LOG]):
            yield (f"{describe(vpc.type, vpc.name)} has no flow log: rejected and accepted connections leave no "
                   f"trace to investigate.", vpc.urn)


def _default_vpc(_t, _props, _c, _a) -> Iterator[str]:
    yield ("the stack adopts the account's default VPC, whose subnets give every instance a public IP address; "
           "build a VPC of your own.")


def _default_sg(_t, props, _c, _a) -> Iterator[str]:
    for kind in ("ingress", "egress"):
        rules = props.get(kind)
        require_known(rules, kind)
        if list(each(rules)):
            yield (f"the VPC's default security group has {kind} rules: anything launched without a group of its "
                   f"own gets them; leave it with none.")


def _subnet_public_ip(_t, props, _c, _a) -> Iterator[str]:
    value = props.get("mapPublicIpOnLaunch")
    require_known(value, "mapPublicIpOnLaunch")
    if as_bool(value):
        yield ("the subnet gives every instance launched in it a public IP address (mapPublicIpOnLaunch); load "
               "balancers and NAT gateways in a public subnet do not need it.")


def _nacl_rule_open(rule: dict[str, Any]) -> Optional[str]:
    if str(dig(rule, "ruleAction", default=dig(rule, "action", default=""))).lower() != "allow":
        return None
    if dig(rule, "cidrBlock") not in _OPEN and dig(rule, "ipv6CidrBlock") not in _OPEN:
        return None
    protocol = str(dig(rule, "protocol", default="")).lower()
    if protocol in ("-1", "all"):
        return "all traffic"
    lo, hi = as_number(dig(rule, "fromPort")), as_number(dig(rule, "toPort"))
    if lo is None or hi is None or (lo <= 0 and hi >= 65535):
        return f"all {protocol.upper()} ports"
    if lo >= 1024 and hi - lo >= 1000:
        return None  # NACLs are stateless: a wide high range admits the return traffic of outbound connections
    hit = [f"{ADMIN_PORTS[p]} ({p})" for p in sorted(ADMIN_PORTS) if lo <= p <= hi]
    return f"{', '.join(hit)}" if hit else None


def _rule_no(rule: dict[str, Any]) -> str:
    n = as_number(dig(rule, "ruleNo"))
    return str(int(n)) if n is not None else "?"


def _nacl(typ, props, _c, _a) -> Iterator[str]:
    if typ == NACL:
        rules = props.get("ingress")
        require_known(rules, "ingress")
        for rule in each(rules):
            what = _nacl_rule_open(rule)
            if what:
                yield f"the network ACL admits {what} from the internet (rule {_rule_no(rule)})."
    elif as_bool(props.get("egress")) is not True:
        what = _nacl_rule_open(props)
        if what:
            yield f"the network ACL rule admits {what} from the internet."


POLICIES = [
    stack_policy(
        name="security-vpc-flow-logs", check=_flow_logs,
        description="Every VPC has a flow log.", severity=Severity.MEDIUM,
        remediation="Add an aws.ec2.FlowLog for the VPC (trafficType ALL) to a log group with a retention, or to "
                    "S3 (Network does this)."),
    resource_policy(
        name="security-vpc-no-default-vpc", types=[DEFAULT_VPC], check=_default_vpc,
        description="Stacks do not adopt the account's default VPC.", severity=Severity.MEDIUM,
        remediation="Create a VPC (awsx.ec2.Vpc, or the Network component) with private subnets."),
    resource_policy(
        name="security-vpc-default-security-group-closed", types=[DEFAULT_SG], check=_default_sg,
        description="A VPC's default security group, when the stack manages it, allows no traffic.",
        severity=Severity.MEDIUM, remediation="Manage it with ingress=[] and egress=[]."),
    resource_policy(
        name="security-vpc-subnet-no-auto-public-ip", types=[SUBNET], check=_subnet_public_ip,
        description="Subnets do not give instances public IP addresses by default (mapPublicIpOnLaunch).",
        severity=Severity.MEDIUM, remediation="Set mapPublicIpOnLaunch: false (the default)."),
    resource_policy(
        name="security-vpc-nacl-no-open-admin-ports", types=[NACL, NACL_RULE], check=_nacl,
        description="Network ACLs do not admit SSH, RDP, FTP or all ports from the internet.",
        severity=Severity.HIGH,
        remediation="Admit those ports from known CIDRs only, or reach instances through SSM Session Manager."),
]
