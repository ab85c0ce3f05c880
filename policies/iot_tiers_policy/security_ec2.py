"""Security baseline for EC2: instances, launch templates, volumes, security groups.

Drawn from checkov (IMDSv2, public IPs, encrypted EBS, open ingress, secrets in
user data), cdk-nag (EC23, EC26) and awsguard (ec2-instance-no-public-ip,
encrypted-volumes).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Iterator

from pulumi_policy import Severity

from ._util import as_bool, as_number, dig, each, is_unknown, require_known, resource_policy
from ._secrets import ACCESS_KEY, credential_kind

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
VOLUME = "aws:ebs/volume:Volume"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
ASG = "aws:autoscaling/group:Group"

_OPEN = ("0.0.0.0/0", "::/0")
_USER_DATA_SECRET = re.compile(
    r"(?i)(aws_secret_access_key|password|passwd|secret|token)\s*[=:]\s*['\"]?[^\s'\"$]{6,}")


def _imdsv2(_t, props, _c, _a) -> Iterator[str]:
    tokens = dig(props, "metadataOptions", "httpTokens")
    require_known(tokens, "metadataOptions.httpTokens")
    if tokens != "required":
        yield ("instance metadata accepts IMDSv1 (metadataOptions.httpTokens is not 'required'): an SSRF can "
               "read the instance role's credentials.")


def _public_ip(typ, props, _c, _a) -> Iterator[str]:
    if typ in (INSTANCE, LAUNCH_CONFIGURATION):
        value = props.get("associatePublicIpAddress")
        require_known(value, "associatePublicIpAddress")
        if as_bool(value):
            yield f"the {'instance' if typ == INSTANCE else 'launch configuration'} gives a public IP address (associatePublicIpAddress is true)."
    else:
        for i, nic in enumerate(each(props.get("networkInterfaces"))):
            value = dig(nic, "associatePublicIpAddress")
            require_known(value, f"networkInterfaces.{i}.associatePublicIpAddress")
            if as_bool(value):
                yield f"network interface {i} of the template gets a public IP address."


def _encrypted(typ, props, _c, _a) -> Iterator[str]:
    if typ == VOLUME:
        if as_bool(props.get("encrypted")) is not True:
            yield "the EBS volume is not encrypted."
        return
    if typ == INSTANCE:
        if as_bool(dig(props, "rootBlockDevice", "encrypted")) is not True:
            yield "the root volume is not encrypted (rootBlockDevice.encrypted is not true)."
        for dev in each(props.get("ebsBlockDevices")):
            if as_bool(dig(dev, "encrypted")) is not True:
                yield f"EBS volume {dig(dev, 'deviceName', default='?')} is not encrypted."
        return
    for m in each(props.get("blockDeviceMappings")):
        if dig(m, "ebs") is not None and as_bool(dig(m, "ebs", "encrypted")) is not True:
            yield f"block device {dig(m, 'deviceName', default='?')} of the template is not encrypted."


_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def traffic(protocol: Any, from_port: Any, to_port: Any) -> str:
    """A rule's traffic as a person says it: "all traffic", "all ICMP", "TCP port 22", "UDP ports 1000-2000"."""
    proto = _PROTOCOLS.get(str(protocol).lower(), str(protocol).lower())
    if proto in ("-1", "all"):
        return "all traffic (every protocol and port)"
    lo, hi = as_number(from_port), as_number(to_port)
    if proto in ("icmp", "icmpv6"):
        label = "ICMP" if proto == "icmp" else "ICMPv6"
        if lo is None or lo < 0:
            return f"all {label}"
        return f"{label} type {int(lo)}" + (f" code {int(hi)}" if hi is not None and hi >= 0 else "")
    if lo is None or hi is None or (lo <= 0 and hi >= 65535) or lo < 0:
        return f"all {proto.upper()} ports"
    if lo == hi:
        return f"{proto.upper()} port {int(lo)}"
    return f"{proto.upper()} ports {int(lo)}-{int(hi)}"


def _open_ingress(typ, props, config, _a) -> Iterator[str]:
    allowed = set(int(p) for p in config["allowedPublicPorts"])

    def judge(cidrs: list[Any], from_port: Any, to_port: Any, protocol: Any) -> Iterator[str]:
        open_cidrs = [c for c in cidrs if c in _OPEN]
        if not open_cidrs:
            return
        what = traffic(protocol, from_port, to_port)
        lo, hi = as_number(from_port), as_number(to_port)
        if str(protocol).lower() in ("tcp", "udp", "6", "17") and lo is not None and hi is not None \
                and 0 <= lo <= hi and hi - lo < 2 and set(range(int(lo), int(hi) + 1)) <= allowed:
            return
        yield (f"ingress from {', '.join(open_cidrs)} on {what}; only TCP/UDP port(s) "
               f"{', '.join(map(str, sorted(allowed)))} may be open to the internet.")

    if typ == SECURITY_GROUP:
        ingress = props.get("ingress")
        require_known(ingress, "ingress")
        for rule in each(ingress):
            yield from judge([*each(dig(rule, "cidrBlocks")), *each(dig(rule, "ipv6CidrBlocks"))],
                             dig(rule, "fromPort"), dig(rule, "toPort"), dig(rule, "protocol"))
    elif typ == SG_RULE:
        if props.get("type") == "ingress":
            yield from judge([*each(props.get("cidrBlocks")), *each(props.get("ipv6CidrBlocks"))],
                             props.get("fromPort"), props.get("toPort"), props.get("protocol"))
    else:
        yield from judge([props.get("cidrIpv4"), props.get("cidrIpv6")], props.get("fromPort"),
                         props.get("toPort"), props.get("ipProtocol"))


def _user_data_secrets(typ, props, _c, _a) -> Iterator[str]:
    text = props.get("userData") or ""
    if is_unknown(text):
        require_known(text, "userData")
    encoded = props.get("userDataBase64") if typ == INSTANCE else (text if typ == LAUNCH_TEMPLATE else None)
    if typ == LAUNCH_TEMPLATE:
        text = ""
    if isinstance(encoded, str) and encoded and not is_unknown(encoded):
        try:
            text += "\n" + base64.b64decode(encoded, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            text += "\n" + encoded
    # Known credential formats anywhere in the script, or an assignment to a variable named as a secret.
    if ACCESS_KEY.search(text) or _USER_DATA_SECRET.search(text) or credential_kind(text) is not None:
        yield "user data contains a secret-looking value; anyone who can describe the instance can read it."


def _open_egress(typ, props, _c, _a) -> Iterator[str]:
    def judge(cidrs, protocol, from_port, to_port):
        open_cidrs = [c for c in cidrs if c in _OPEN]
        if open_cidrs and str(protocol).lower() in ("-1", "all"):
            yield (f"egress to {', '.join(open_cidrs)} on all traffic (every protocol and port): name the ports "
                   f"the workload calls out on (443 for AWS APIs) or the destinations.")

    if typ == SECURITY_GROUP:
        egress = props.get("egress")
        require_known(egress, "egress")
        for rule in each(egress):
            yield from judge([*each(dig(rule, "cidrBlocks")), *each(dig(rule, "ipv6CidrBlocks"))],
                             dig(rule, "protocol"), dig(rule, "fromPort"), dig(rule, "toPort"))
    elif typ == SG_RULE:
        if props.get("type") == "egress":
            yield from judge([*each(props.get("cidrBlocks")), *each(props.get("ipv6CidrBlocks"))],
                             props.get("protocol"), props.get("fromPort"), props.get("toPort"))
    else:
        yield from judge([props.get("cidrIpv4"), props.get("cidrIpv6")], props.get("ipProtocol"),
                         props.get("fromPort"), props.get("toPort"))


def _descriptions(typ, props, _c, _a) -> Iterator[str]:
    if typ == SECURITY_GROUP:
        if not props.get("description") or props.get("description") == "Managed by Pulumi":
            yield "the security group has no description of its own (description)."
        for kind in ("ingress", "egress"):
            for i, rule in enumerate(each(props.get(kind))):
                if not dig(rule, "description"):
                    yield f"{kind} rule {i} ({traffic(dig(rule, 'protocol'), dig(rule, 'fromPort'), dig(rule, 'toPort'))}) has no description."
    elif not props.get("description"):
        yield "the rule has no description: say what the traffic is for."


def _detailed_monitoring(typ, props, _c, _a) -> Iterator[str]:
    value = props.get("monitoring") if typ == INSTANCE else dig(props, "monitoring", "enabled")
    require_known(value, "monitoring")
    if as_bool(value) is not True:
        yield "detailed monitoring is off: metrics come every 5 minutes instead of every minute."


def _hop_limit(_t, props, config, _a) -> Iterator[str]:
    value = dig(props, "metadataOptions", "httpPutResponseHopLimit")
    require_known(value, "metadataOptions.httpPutResponseHopLimit")
    n = as_number(value)
    if n is not None and n > config["maxHopLimit"]:
        yield (f"the instance metadata response hop limit is {int(n)}: tokens reach {int(n) - 1} network hop(s) "
               f"beyond the instance (containers, forwarded requests); at most {config['maxHopLimit']} is allowed.")


def _asg_launch_template(_t, props, _c, _a) -> Iterator[str]:
    if props.get("launchConfiguration") is not None:
        yield ("the group launches from a launch configuration, which cannot require IMDSv2 per version or use "
               "current instance types; use a launch template.")


def _instance_role(typ, props, _c, _a) -> Iterator[str]:
    profile = props.get("iamInstanceProfile")
    if typ == LAUNCH_TEMPLATE:
        profile = (dig(profile, "name") or dig(profile, "arn")) if isinstance(profile, dict) else profile
    elif props.get("launchTemplate") is not None:
        return  # the launch template gives the instance its profile; the template is checked itself
    if profile is None or profile == "":
        yield ("the instance has no IAM role (iamInstanceProfile): whatever calls AWS from it needs long-lived "
               "keys on the box, and SSM Session Manager cannot reach it.")


POLICIES = [
    resource_policy(
        name="security-ec2-imdsv2", types=[INSTANCE, LAUNCH_TEMPLATE], check=_imdsv2,
        description="EC2 instances and launch templates require IMDSv2 (session tokens) for instance metadata.",
        severity=Severity.HIGH,
        remediation="Set metadataOptions = {httpTokens: 'required', httpEndpoint: 'enabled'}."),
    resource_policy(
        name="security-ec2-no-public-ip", types=[INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION], check=_public_ip,
        description="EC2 instances and launch templates do not get public IP addresses.", severity=Severity.HIGH,
        remediation="Run instances in private subnets, set associatePublicIpAddress to false, and reach them "
                    "through a load balancer or SSM Session Manager."),
    resource_policy(
        name="security-ec2-encrypted-volumes", types=[INSTANCE, LAUNCH_TEMPLATE, VOLUME], check=_encrypted,
        description="EBS volumes (root, attached, and those launch templates create) are encrypted.",
        severity=Severity.HIGH,
        remediation="Set encrypted: true on rootBlockDevice, every ebsBlockDevice, every launch-template block "
                    "device mapping's ebs, and every ebs.Volume (optionally with a KMS key)."),
    resource_policy(
        name="security-ec2-no-open-ingress", types=[SECURITY_GROUP, SG_RULE, SG_INGRESS], check=_open_ingress,
        config={"allowedPublicPorts": {"type": "array", "items": {"type": "integer"}, "default": [80, 443],
                                       "description": "Ports that may accept traffic from anywhere."}},
        description="Security groups admit traffic from anywhere (0.0.0.0/0, ::/0) only on allowed ports "
                    "(80 and 443 by default).", severity=Severity.HIGH,
        remediation="Narrow the rule's source to the load balancer's security group or a known CIDR, or use "
                    "SSM Session Manager instead of opening SSH."),
    resource_policy(
        name="security-ec2-no-open-egress", types=[SECURITY_GROUP, SG_RULE, SG_EGRESS], check=_open_egress,
        description="Security groups do not allow all traffic (every protocol and port) out to the internet.",
        severity=Severity.MEDIUM,
        remediation="Allow the ports the workload calls out on (TCP 443 for AWS APIs and registries, 8883 for "
                    "MQTT) or the VPC's CIDR."),
    resource_policy(
        name="security-ec2-security-group-descriptions", types=[SECURITY_GROUP, SG_RULE, SG_INGRESS, SG_EGRESS],
        check=_descriptions,
        description="Security groups and each of their rules carry a description of what the traffic is for.",
        severity=Severity.LOW, remediation="Set description on the group and on every rule."),
    resource_policy(
        name="security-ec2-detailed-monitoring", types=[INSTANCE, LAUNCH_TEMPLATE], check=_detailed_monitoring,
        description="EC2 instances and launch templates enable detailed (1-minute) monitoring.",
        severity=Severity.LOW,
        remediation="Set monitoring: true on instances, monitoring = {enabled: true} on launch templates "
                    "(HeavyComputeTier: heavyDetailedMonitoring)."),
    resource_policy(
        name="security-ec2-metadata-hop-limit", types=[INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION],
        check=_hop_limit,
        config={"maxHopLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1,
                                "description": "Largest httpPutResponseHopLimit allowed (2 lets containers on the "
                                               "instance reach IMDSv2)."}},
        description="Instance metadata tokens do not travel beyond the instance (httpPutResponseHopLimit at most "
                    "maxHopLimit, 1 by default).", severity=Severity.MEDIUM,
        remediation="Set metadataOptions.httpPutResponseHopLimit to 1 (2 when containers on the host need IMDS)."),
    resource_policy(
        name="security-ec2-asg-launch-template", types=[ASG], check=_asg_launch_template,
        description="Auto-scaling groups launch from launch templates, not launch configurations.",
        severity=Severity.LOW, remediation="Replace launchConfiguration with launchTemplate = {id, version}."),
    resource_policy(
        name="security-ec2-instance-role", types=[INSTANCE, LAUNCH_TEMPLATE], check=_instance_role,
        description="EC2 instances run with an IAM role: an instance profile of their own or from their launch "
                    "template.", severity=Severity.LOW,
        remediation="Create an aws.iam.InstanceProfile for a role trusting ec2.amazonaws.com and pass it as "
                    "iamInstanceProfile."),
    resource_policy(
        name="security-ec2-no-secrets-in-user-data", types=[INSTANCE, LAUNCH_TEMPLATE], check=_user_data_secrets,
        description="EC2 user data contains no secrets.", severity=Severity.HIGH,
        remediation="Fetch secrets at boot from Secrets Manager or SSM using the instance role."),
]
