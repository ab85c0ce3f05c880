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
from .security_ecs import ACCESS_KEY

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
VOLUME = "aws:ebs/volume:Volume"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

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
    if typ == INSTANCE:
        value = props.get("associatePublicIpAddress")
        require_known(value, "associatePublicIpAddress")
        if as_bool(value):
            yield "the instance gets a public IP address (associatePublicIpAddress is true)."
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


def _open_ingress(typ, props, config, _a) -> Iterator[str]:
    allowed = set(int(p) for p in config["allowedPublicPorts"])

    def judge(cidrs: list[Any], from_port: Any, to_port: Any, protocol: Any) -> Iterator[str]:
        open_cidrs = [c for c in cidrs if c in _OPEN]
        if not open_cidrs:
            return
        lo, hi = as_number(from_port), as_number(to_port)
        if str(protocol) == "-1" or lo is None or hi is None:
            yield f"ingress from {', '.join(open_cidrs)} on all ports."
            return
        ports = range(int(lo), int(hi) + 1)
        if not (len(ports) <= 2 and set(ports) <= allowed):
            yield (f"ingress from {', '.join(open_cidrs)} on port(s) {int(lo)}-{int(hi)}; only "
                   f"{sorted(allowed)} may be open to the internet.")

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
    if ACCESS_KEY.search(text) or _USER_DATA_SECRET.search(text):
        yield "user data contains a secret-looking value; anyone who can describe the instance can read it."


POLICIES = [
    resource_policy(
        name="security-ec2-imdsv2", types=[INSTANCE, LAUNCH_TEMPLATE], check=_imdsv2,
        description="EC2 instances and launch templates require IMDSv2 (session tokens) for instance metadata.",
        severity=Severity.HIGH,
        remediation="Set metadataOptions = {httpTokens: 'required', httpEndpoint: 'enabled'}."),
    resource_policy(
        name="security-ec2-no-public-ip", types=[INSTANCE, LAUNCH_TEMPLATE], check=_public_ip,
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
        name="security-ec2-no-secrets-in-user-data", types=[INSTANCE, LAUNCH_TEMPLATE], check=_user_data_secrets,
        description="EC2 user data contains no secrets.", severity=Severity.HIGH,
        remediation="Fetch secrets at boot from Secrets Manager or SSM using the instance role."),
]
