"""Network: the VPC the tiers run in, with the endpoints that keep traffic off the NAT gateways.

The tiers never create a network themselves: each takes a VPC id and subnet ids as
arguments, so a team with its own network passes its ids and never builds this
component. The stack program builds one :class:`Network` and hands its outputs to
every tier.

The VPC itself is an ``awsx.ec2.Vpc`` (subnets, route tables, internet and NAT
gateways laid out per availability zone). It is a remote component, so under the
mock runtime it is one opaque resource; the endpoints and their security group are
plain ``pulumi_aws`` children, visible to tests and policies alike.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from .base import TierComponent, Transform
from .config import resolve_tier

#: Our NAT strategy names -> awsx's.
_NAT = {
    "single": awsx.ec2.NatGatewayStrategy.SINGLE,
    "one-per-az": awsx.ec2.NatGatewayStrategy.ONE_PER_AZ,
    "none": awsx.ec2.NatGatewayStrategy.NONE,
}

#: Gateway endpoints: free, routed by prefix list from every route table.
GATEWAY_SERVICES = ("s3", "dynamodb")


class NetworkArgs(TypedDict, total=False):
    """Arguments of :class:`Network`. Every key is optional; defaults are the settings table's
    (``components/config/network.py``)."""

    cidr_block: str
    """IPv4 range of the VPC. Default ``"10.0.0.0/16"``."""
    availability_zones: int
    """Availability zones to span, 2-6. Default ``2``. Example: ``3`` for prod."""
    nat_gateways: str
    """``"single"`` (default), ``"one-per-az"`` (prod) or ``"none"`` (then ``interface_endpoints``
    must cover ECR, Logs and Secrets Manager)."""
    gateway_endpoints: bool
    """S3 and DynamoDB gateway endpoints on every route table. Default ``True``."""
    interface_endpoints: list[str]
    """Interface endpoints by short service name, e.g. ``["ecr.api", "ecr.dkr", "logs",
    "secretsmanager"]``. Default ``[]`` (see the module docs of the settings for the cost arithmetic)."""
    tags: Mapping[str, str]
    """Extra tags for every child. Default none."""
    transform: Mapping[str, Transform]
    """Escape hatch keyed by child name: ``vpc``, ``endpoint-s3``, ``endpoint-dynamodb``,
    ``endpoint-<service>`` (dots as dashes), ``endpoints-sg``.
    Example: ``{"vpc": lambda a: {**a, "enable_dns_hostnames": True}}``."""


class Network(TierComponent):
    """A VPC with public and private subnets per availability zone, NAT, and VPC endpoints.

    Outputs: ``vpc_id``, ``private_subnet_ids``, ``public_subnet_ids``, ``cidr_block``.
    """

    tier = "network"

    def __init__(self, name: str, args: Optional[NetworkArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        given = dict(args or {})
        tags = given.pop("tags", None)
        transform = given.pop("transform", None)
        super().__init__("iot-tiers:components:Network", name, tags, transform, opts)
        a = resolve_tier("network", given)
        self.settings = a
        region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=self)).region

        self.vpc = self.child(
            awsx.ec2.Vpc, "vpc",
            cidr_block=a["cidr_block"],
            number_of_availability_zones=a["availability_zones"],
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=_NAT[a["nat_gateways"]]),
            # Private DNS names of interface endpoints need both of these on.
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=self.tags(),
        )
        self.vpc_id: pulumi.Output[str] = self.vpc.vpc_id
        self.private_subnet_ids: pulumi.Output[list[str]] = self.vpc.private_subnet_ids
        self.public_subnet_ids: pulumi.Output[list[str]] = self.vpc.public_subnet_ids
        self.cidr_block = a["cidr_block"]

        self.endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        if a["gateway_endpoints"]:
            # Every route table of the VPC (public and private): awsx creates one per
            # subnet and does not wire gateway endpoints to them itself.
            route_tables = aws.ec2.get_route_tables_output(
                vpc_id=self.vpc_id, opts=pulumi.InvokeOptions(parent=self))
            for service in GATEWAY_SERVICES:
                self.endpoints[service] = self.child(
                    aws.ec2.VpcEndpoint, f"endpoint-{service}",
                    vpc_id=self.vpc_id,
                    service_name=region.apply(lambda r, s=service: f"com.amazonaws.{r}.{s}"),
                    vpc_endpoint_type="Gateway",
                    route_table_ids=route_tables.ids,
                    tags=self.tags({"Name": f"{name}-{service}"}),
                )

        self.endpoint_security_group: Optional[aws.ec2.SecurityGroup] = None
        if a["interface_endpoints"]:
            sg = self.child(
                aws.ec2.SecurityGroup, "endpoints-sg",
                vpc_id=self.vpc_id,
                description="HTTPS from inside the VPC to its interface endpoints",
                tags=self.tags(),
            )
            self.child(aws.vpc.SecurityGroupIngressRule, "endpoints-sg-https",
                       security_group_id=sg.id, ip_protocol="tcp", from_port=443, to_port=443,
                       cidr_ipv4=a["cidr_block"], description="HTTPS from the VPC")
            self.endpoint_security_group = sg
            for service in a["interface_endpoints"]:
                short = service.replace(".", "-")
                self.endpoints[service] = self.child(
                    aws.ec2.VpcEndpoint, f"endpoint-{short}",
                    vpc_id=self.vpc_id,
                    service_name=region.apply(lambda r, s=service: f"com.amazonaws.{r}.{s}"),
                    vpc_endpoint_type="Interface",
                    subnet_ids=self.private_subnet_ids,
                    security_group_ids=[sg.id],
                    private_dns_enabled=True,
                    tags=self.tags({"Name": f"{name}-{short}"}),
                )

        self.register_outputs({
            "vpc_id": self.vpc_id,
            "private_subnet_ids": self.private_subnet_ids,
            "public_subnet_ids": self.public_subnet_ids,
            "cidr_block": self.cidr_block,
        })

    def placement(self) -> dict[str, Any]:
        """The arguments a tier takes to run in this network (``vpc_id`` and subnet ids)."""
        return {"vpc_id": self.vpc_id, "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids}
