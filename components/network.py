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


class NetworkInputs(TypedDict, total=False):
    """Arguments of :class:`Network` that every Pulumi language can pass. All optional.

    Defaults and allowed values come from the settings table (``components/config/network.py``);
    the text of each table-backed key is generated from it (``python -m tools.args_docs update``).
    """

    cidr_block: pulumi.Input[str]
    """IPv4 range of the VPC; awsx splits it into a public and a private subnet per availability zone.
    Allowed: an IPv4 CIDR block from /16 to /24, e.g. 10.0.0.0/16. Default: ``"10.0.0.0/16"``. Stack
    config: ``iot-tiers:networkCidrBlock``."""
    availability_zones: pulumi.Input[int]
    """Availability zones the VPC spans (each gets a public and a private subnet). An ALB needs at least
    two; prod uses three so losing one zone leaves two thirds of the capacity. Allowed: a whole
    number from 2 to 6. Default: ``2``. Stack config: ``iot-tiers:networkAvailabilityZones``."""
    nat_gateways: pulumi.Input[str]
    """NAT gateways for the private subnets' outbound traffic: 'single' (one, cheap, a single point of
    failure: dev), 'one-per-az' (prod: a zone outage cuts only that zone), or 'none' (no internet
    egress: needs the interface endpoints listed under interface_endpoints). Allowed: one of: single,
    one-per-az, none. Default: ``"single"``. Stack config: ``iot-tiers:networkNatGateways``."""
    gateway_endpoints: bool
    """S3 and DynamoDB gateway endpoints on every route table. Free, and they keep image layer pulls and
    table traffic off the NAT gateways. Allowed: true or false. Default: ``True``. Stack config:
    ``iot-tiers:networkGatewayEndpoints``."""
    interface_endpoints: list[str]
    """Interface endpoints (PrivateLink) in the private subnets, by short service name. Each costs
    ~$7.30 a month per availability zone, which NAT savings repay only above ~2.5 TB a month, so the
    default is none; with nat_gateways 'none' the tasks need ecr.api, ecr.dkr, logs and
    secretsmanager. Allowed: a list drawn from: ecr.api, ecr.dkr, logs, secretsmanager, monitoring,
    sts, ssm, kms (no repeats). Default: ``[]``. Stack config:
    ``iot-tiers:networkInterfaceEndpoints``."""
    tags: Mapping[str, str]
    """Extra tags for every child. Default none."""


class NetworkArgs(NetworkInputs, total=False):
    """Arguments of :class:`Network` (Python): every input, plus ``transform``."""

    transform: Mapping[str, Transform]
    """Escape hatch: per-child functions that rewrite a child's keyword arguments, keyed by the child's
    short name: ``vpc``, ``endpoint-s3``, ``endpoint-dynamodb``, ``endpoint-<service>`` (dots as
    dashes), ``endpoints-sg``, ``endpoints-sg-https``; a key naming no child is refused. Example:
    ``{"vpc": lambda a: {**a, "enable_dns_hostnames": True}}``."""


class Placement(TypedDict):
    """Where a tier runs: what :meth:`Network.placement` returns, and what RealtimeTier takes."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]


class Network(TierComponent):
    """A VPC with public and private subnets per availability zone, NAT, and VPC endpoints."""

    tier = "network"
    type_token = "iot-tiers:index:Network"
    previous_type_tokens = ("iot-tiers:components:Network",)
    children = ("vpc", "endpoint-*", "endpoints-sg", "endpoints-sg-https")

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    private_subnet_ids: pulumi.Output[list[str]]
    """One private subnet per availability zone (no public IPs; out through NAT or endpoints)."""
    public_subnet_ids: pulumi.Output[list[str]]
    """One public subnet per availability zone (load balancers, NAT gateways)."""
    cidr_block: pulumi.Output[str]
    """The VPC's IPv4 range."""

    def __init__(self, name: str, args: Optional[NetworkArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        given = dict(args or {})
        tags, transform = given.pop("tags", None), given.pop("transform", None)
        self.settings = resolve_tier("network", given)
        super().__init__(name, tags, transform, opts)
        self._region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=self)).region
        self.endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        self.endpoint_security_group: Optional[aws.ec2.SecurityGroup] = None

        self._vpc()
        if self.settings.plain("gateway_endpoints"):
            self._gateway_endpoints()
        if self.settings.plain("interface_endpoints"):
            self._interface_endpoints()
        self.register_declared_outputs()

    def _vpc(self) -> None:
        s = self.settings
        self.vpc = self.child(
            awsx.ec2.Vpc, "vpc",
            cidr_block=s["cidr_block"],
            number_of_availability_zones=s["availability_zones"],
            nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=s.derive(_NAT.__getitem__, "nat_gateways")),
            # Private DNS names of interface endpoints need both of these on.
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=self.tags(),
        )
        self.vpc_id = self.vpc.vpc_id
        self.private_subnet_ids = self.vpc.private_subnet_ids
        self.public_subnet_ids = self.vpc.public_subnet_ids
        self.cidr_block = pulumi.Output.from_input(s["cidr_block"])

    def _gateway_endpoints(self) -> None:
        """S3 and DynamoDB, on every route table of the VPC (public and private): awsx creates
        one per subnet and does not wire gateway endpoints to them itself."""
        route_tables = aws.ec2.get_route_tables_output(vpc_id=self.vpc_id, opts=pulumi.InvokeOptions(parent=self))
        for service in GATEWAY_SERVICES:
            self.endpoints[service] = self.child(
                aws.ec2.VpcEndpoint, f"endpoint-{service}",
                vpc_id=self.vpc_id,
                service_name=self._region.apply(lambda r, s=service: f"com.amazonaws.{r}.{s}"),
                vpc_endpoint_type="Gateway",
                route_table_ids=route_tables.ids,
                tags=self.tags({"Name": f"{self._name}-{service}"}),
            )

    def _interface_endpoints(self) -> None:
        """PrivateLink endpoints in the private subnets, reachable over HTTPS from the VPC."""
        sg = self.child(
            aws.ec2.SecurityGroup, "endpoints-sg",
            vpc_id=self.vpc_id,
            description="HTTPS from inside the VPC to its interface endpoints",
            tags=self.tags(),
        )
        self.child(aws.vpc.SecurityGroupIngressRule, "endpoints-sg-https",
                   security_group_id=sg.id, ip_protocol="tcp", from_port=443, to_port=443,
                   cidr_ipv4=self.settings["cidr_block"], description="HTTPS from the VPC")
        self.endpoint_security_group = sg
        for service in self.settings.plain("interface_endpoints"):
            short = service.replace(".", "-")
            self.endpoints[service] = self.child(
                aws.ec2.VpcEndpoint, f"endpoint-{short}",
                vpc_id=self.vpc_id,
                service_name=self._region.apply(lambda r, s=service: f"com.amazonaws.{r}.{s}"),
                vpc_endpoint_type="Interface",
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[sg.id],
                private_dns_enabled=True,
                tags=self.tags({"Name": f"{self._name}-{short}"}),
            )

    def placement(self) -> Placement:
        """The arguments a tier takes to run in this network (``vpc_id`` and subnet ids)."""
        return {"vpc_id": self.vpc_id, "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids}
