"""Settings of the stack's network (the VPC every tier runs in): its rows of the defaults table.

The trade-off behind the endpoint defaults, so nobody has to redo the arithmetic:
gateway endpoints (S3, DynamoDB) cost nothing and take ECR image layers (stored in
S3) and table traffic off the NAT gateways, so they are on everywhere. An interface
endpoint costs about $0.01 per hour per availability zone (~$7.30 a month) plus
$0.01/GB, against NAT processing at $0.045/GB: four of them (ECR api and dkr, Logs,
Secrets Manager) in three AZs cost ~$88 a month and save $0.035/GB, so they pay for
themselves only above ~2.5 TB a month of that traffic, far more than a bridge's image
pulls and logs. So interface endpoints are off by default and required only where
they are the sole way out: with ``networkNatGateways: none``.
"""

from __future__ import annotations

from typing import Any, Mapping

from .schema import IPV4_CIDR, Setting, int_range, list_of, matches, one_of

T = "network"

NAT_STRATEGIES = ("single", "one-per-az", "none")

#: Interface endpoints worth offering (short service names, as in com.amazonaws.<region>.<name>).
INTERFACE_SERVICES = ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "monitoring", "sts", "ssm", "kms")

#: What a Fargate task in a private subnet needs to start when there is no NAT gateway:
#: pull its image (ECR api + dkr, layers via the S3 gateway endpoint), write logs, read its secrets.
REQUIRED_WITHOUT_NAT = ("ecr.api", "ecr.dkr", "logs", "secretsmanager")

SETTINGS: list[Setting] = [
    Setting(T, "cidr_block", "string", "10.0.0.0/16",
            "IPv4 range of the VPC; awsx splits it into a public and a private subnet per availability zone.",
            "an IPv4 CIDR block from /16 to /24, e.g. 10.0.0.0/16",
            lambda v: matches(IPV4_CIDR)(v) and 16 <= int(v.rsplit("/", 1)[1]) <= 24),
    Setting(T, "availability_zones", "integer", 2,
            "Availability zones the VPC spans (each gets a public and a private subnet). An ALB needs "
            "at least two; prod uses three so losing one zone leaves two thirds of the capacity.",
            "a whole number from 2 to 6", int_range(2, 6)),
    Setting(T, "nat_gateways", "string", "single",
            "NAT gateways for the private subnets' outbound traffic: 'single' (one, cheap, a single "
            "point of failure: dev), 'one-per-az' (prod: a zone outage cuts only that zone), or "
            "'none' (no internet egress: needs the interface endpoints listed under networkInterfaceEndpoints).",
            "one of: " + ", ".join(NAT_STRATEGIES), one_of(NAT_STRATEGIES)),
    Setting(T, "gateway_endpoints", "boolean", True,
            "S3 and DynamoDB gateway endpoints on every route table. Free, and they keep image layer "
            "pulls and table traffic off the NAT gateways.",
            "true or false", lambda v: isinstance(v, bool)),
    Setting(T, "interface_endpoints", "array", [],
            "Interface endpoints (PrivateLink) in the private subnets, by short service name. Each costs "
            "~$7.30 a month per availability zone, which NAT savings repay only above ~2.5 TB a month, so "
            "the default is none; with networkNatGateways 'none' the tasks need ecr.api, ecr.dkr, logs and "
            "secretsmanager.",
            "a list drawn from: " + ", ".join(INTERFACE_SERVICES) + " (no repeats)",
            lambda v: list_of(one_of(INTERFACE_SERVICES))(v) and len(set(v)) == len(v)),
]


def cross_checks(args: Mapping[str, Any]) -> list[str]:
    """Rules that span several network arguments."""
    problems = []
    if args["nat_gateways"] == "none":
        missing = [s for s in REQUIRED_WITHOUT_NAT if s not in args["interface_endpoints"]]
        if missing:
            problems.append(
                f"nat_gateways='none' leaves the private subnets no way out, so "
                f"interface_endpoints={list(args['interface_endpoints'])!r} must include "
                f"{', '.join(REQUIRED_WITHOUT_NAT)} (missing: {', '.join(missing)}); "
                "or nat_gateways='single' or 'one-per-az'")
        if not args["gateway_endpoints"]:
            problems.append(
                "nat_gateways='none' needs gateway_endpoints=true (it is false): ECR serves image layers from S3")
    return problems
