"""Pulumi mocks that answer like AWS would, closely enough for policies and tests.

Every resource gets the identifiers AWS would give it (ARNs, queue URLs, ids with
the right prefixes), derived deterministically from its type and name, so that
IAM statements in tests name real-looking ARNs and two runs capture the same graph.

Shapes follow the providers' schemas (:mod:`.schema`): a ``pulumi_aws`` resource
returns its inputs (its outputs carry the same names and types) plus what AWS
computes; a remote component (every awsx component) returns exactly the outputs
its schema declares, never its inputs, with resource-typed outputs as references
to the children the component would create (:meth:`AwsMocks.remote_component`);
an invoke nobody mocked returns its declared result fields.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Optional

import pulumi
from pulumi.runtime import rpc

from . import schema

ACCOUNT_ID = "123456789012"

#: Id prefixes EC2 gives its resources.
_EC2_ID_PREFIX = {
    "SecurityGroup": "sg", "LaunchTemplate": "lt", "Instance": "i", "Vpc": "vpc",
    "Subnet": "subnet", "VpcEndpoint": "vpce", "Volume": "vol", "NatGateway": "nat",
    "InternetGateway": "igw", "RouteTable": "rtb", "Eip": "eipalloc", "NetworkInterface": "eni",
    "SecurityGroupRule": "sgrule", "VpcSecurityGroupIngressRule": "sgr",
    "VpcSecurityGroupEgressRule": "sgr",
}


def _short_hash(*parts: str, n: int = 8) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


def _physical_name(args: pulumi.runtime.MockResourceArgs) -> str:
    inputs = args.inputs or {}
    for key in ("name", "family", "functionName", "roleName", "bucket"):
        value = inputs.get(key)
        if isinstance(value, str) and value:
            return value
    # Pulumi auto-naming: the logical name plus a random suffix.
    return f"{args.name}-{_short_hash(args.typ, args.name, n=7)}"


class AwsMocks(pulumi.runtime.Mocks):
    """Resource and invoke mocks for pulumi_aws and awsx, for one region."""

    def __init__(self, region: str = "us-east-1", account: str = ACCOUNT_ID) -> None:
        self.region = region
        self.account = account

    # ------------------------------------------------------------ resources
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[Optional[str], dict]:
        state = dict(args.inputs or {})
        typ = args.typ
        phys = _physical_name(args)
        r, a = self.region, self.account
        try:
            pkg, mod_res, kind = typ.split(":")
            module = mod_res.split("/")[0]
        except ValueError:
            pkg, module, kind = typ, "", ""

        if pkg == "awsx":
            # Without the capturing monitor no one can answer for the component's children:
            # resource-typed outputs stay out (unknown in a preview).
            urn = f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{typ}::{args.name}"
            rid, outputs, _children = self.remote_component(args, urn, references=False)
            return rid, outputs
        if typ == "docker-build:index:Image":
            # What the provider returns after a push: the digest, and the first tag pinned to it.
            tags = [str(t) for t in state.get("tags") or []]
            digest = f"sha256:{_short_hash(args.name, *tags, n=64)}"
            state.update(digest=digest, ref=f"{tags[0]}@{digest}" if tags else "")
            return digest, state
        if pkg != "aws":
            return f"{args.name}-id", state

        arn: Optional[str] = None
        rid = phys
        if typ == "aws:sqs/queue:Queue":
            if state.get("fifoQueue") and not phys.endswith(".fifo"):
                phys += ".fifo"
            arn = f"arn:aws:sqs:{r}:{a}:{phys}"
            rid = f"https://sqs.{r}.amazonaws.com/{a}/{phys}"
            state["url"] = rid
        elif typ == "aws:dynamodb/table:Table":
            arn = f"arn:aws:dynamodb:{r}:{a}:table/{phys}"
            state["streamArn"] = f"{arn}/stream/2026-01-01T00:00:00.000"
        elif typ == "aws:sns/topic:Topic":
            arn = f"arn:aws:sns:{r}:{a}:{phys}"
            rid = arn
        elif typ == "aws:lambda/function:Function":
            arn = f"arn:aws:lambda:{r}:{a}:function:{phys}"
            state["qualifiedArn"] = f"{arn}:1"
            state["version"] = "1"
            state["invokeArn"] = f"arn:aws:apigateway:{r}:lambda:path/2015-03-31/functions/{arn}/invocations"
        elif typ == "aws:lambda/alias:Alias":
            fn = str(state.get("functionName", "fn")).split(":")[-1]
            arn = f"arn:aws:lambda:{r}:{a}:function:{fn}:{phys}"
            state["invokeArn"] = f"arn:aws:apigateway:{r}:lambda:path/2015-03-31/functions/{arn}/invocations"
        elif typ == "aws:iam/role:Role":
            arn = f"arn:aws:iam::{a}:role/{phys}"
            state["uniqueId"] = "AROA" + _short_hash(phys, n=16).upper()
        elif typ == "aws:iam/policy:Policy":
            arn = f"arn:aws:iam::{a}:policy/{phys}"
            rid = arn
        elif typ == "aws:iam/instanceProfile:InstanceProfile":
            arn = f"arn:aws:iam::{a}:instance-profile/{phys}"
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            arn = f"arn:aws:logs:{r}:{a}:log-group:{phys}"
        elif typ == "aws:kms/key:Key":
            rid = "mrk-" + _short_hash(args.name, n=32)
            arn = f"arn:aws:kms:{r}:{a}:key/{rid}"
            state["keyId"] = rid
        elif typ == "aws:kms/alias:Alias":
            arn = f"arn:aws:kms:{r}:{a}:{phys}"
        elif typ == "aws:iot/topicRule:TopicRule":
            arn = f"arn:aws:iot:{r}:{a}:rule/{phys}"
        elif typ == "aws:ecs/cluster:Cluster":
            arn = f"arn:aws:ecs:{r}:{a}:cluster/{phys}"
            rid = arn
        elif typ == "aws:ecs/service:Service":
            arn = f"arn:aws:ecs:{r}:{a}:service/{phys}"
        elif typ == "aws:ecs/taskDefinition:TaskDefinition":
            state["revision"] = 1
            arn = f"arn:aws:ecs:{r}:{a}:task-definition/{phys}:1"
            state["arnWithoutRevision"] = f"arn:aws:ecs:{r}:{a}:task-definition/{phys}"
        elif typ == "aws:secretsmanager/secret:Secret":
            arn = f"arn:aws:secretsmanager:{r}:{a}:secret:{phys}-{_short_hash(phys, n=6)}"
            rid = arn
        elif typ == "aws:lb/loadBalancer:LoadBalancer" or typ == "aws:alb/loadBalancer:LoadBalancer":
            kind_lb = "net" if state.get("loadBalancerType") == "network" else "app"
            suffix = f"{kind_lb}/{phys}/{_short_hash(phys, n=16)}"
            arn = f"arn:aws:elasticloadbalancing:{r}:{a}:loadbalancer/{suffix}"
            state["arnSuffix"] = suffix
            state["dnsName"] = f"{phys}-{_short_hash(phys, n=10)}.{r}.elb.amazonaws.com"
            state["zoneId"] = "Z35SXDOTRQ7X7K"
            rid = arn
        elif typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
            suffix = f"targetgroup/{phys}/{_short_hash(phys, n=16)}"
            arn = f"arn:aws:elasticloadbalancing:{r}:{a}:{suffix}"
            state["arnSuffix"] = suffix
            rid = arn
        elif typ in ("aws:lb/listener:Listener", "aws:alb/listener:Listener"):
            arn = f"arn:aws:elasticloadbalancing:{r}:{a}:listener/app/{phys}/{_short_hash(phys, n=16)}"
            rid = arn
        elif typ == "aws:ecr/repository:Repository":
            arn = f"arn:aws:ecr:{r}:{a}:repository/{phys}"
            state["repositoryUrl"] = f"{a}.dkr.ecr.{r}.amazonaws.com/{phys}"
            state["registryId"] = a
        elif typ == "aws:acm/certificate:Certificate":
            rid = _short_hash(phys, n=36)
            arn = f"arn:aws:acm:{r}:{a}:certificate/{rid}"
        elif typ == "aws:s3/bucket:Bucket":
            if not state.get("bucket"):
                phys = f"{args.name}-{_short_hash(typ, args.name, n=7)}"
            rid = phys
            arn = f"arn:aws:s3:::{phys}"
            state["bucket"] = phys
            state["bucketDomainName"] = f"{phys}.s3.amazonaws.com"
            state["bucketRegionalDomainName"] = f"{phys}.s3.{r}.amazonaws.com"
        elif typ == "aws:iot/certificate:Certificate":
            rid = _short_hash(args.name, n=64)
            arn = f"arn:aws:iot:{r}:{a}:cert/{rid}"
            body = _short_hash("pem", args.name, n=64)
            state["certificatePem"] = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
            state["privateKey"] = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"
            state["publicKey"] = f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"
        elif typ == "aws:iot/policy:Policy":
            arn = f"arn:aws:iot:{r}:{a}:policy/{phys}"
            state["defaultVersionId"] = "1"
        elif typ == "aws:secretsmanager/secretVersion:SecretVersion":
            rid = f"{state.get('secretId', phys)}|{_short_hash(args.name, n=32)}"
            state["versionId"] = _short_hash(args.name, n=32)
            if isinstance(state.get("secretId"), str):
                arn = state["secretId"]
        elif typ == "aws:appautoscaling/target:Target":
            rid = str(state.get("resourceId") or phys)
            arn = (f"arn:aws:application-autoscaling:{r}:{a}:scalable-target/"
                   f"{_short_hash(rid, n=26)}")
        elif module == "vpc" and kind in _EC2_ID_PREFIX:
            rid = f"{_EC2_ID_PREFIX[kind]}-{_short_hash(typ, args.name, n=17)}"
            arn = f"arn:aws:ec2:{r}:{a}:security-group-rule/{rid}"
            state["securityGroupRuleId"] = rid
        elif typ == "aws:apigatewayv2/api:Api":
            rid = _short_hash(phys, n=10)
            arn = f"arn:aws:apigateway:{r}::/apis/{rid}"
            state["executionArn"] = f"arn:aws:execute-api:{r}:{a}:{rid}"
            state["apiEndpoint"] = f"wss://{rid}.execute-api.{r}.amazonaws.com"
        elif typ == "aws:autoscaling/group:Group":
            arn = f"arn:aws:autoscaling:{r}:{a}:autoScalingGroup:{_short_hash(phys, n=36)}:autoScalingGroupName/{phys}"
        elif typ == "aws:appautoscaling/policy:Policy":
            arn = f"arn:aws:autoscaling:{r}:{a}:scalingPolicy:{_short_hash(phys, n=36)}:resource/{phys}"
        elif typ == "aws:ebs/volume:Volume":
            rid = f"vol-{_short_hash(typ, args.name, n=17)}"
            arn = f"arn:aws:ec2:{r}:{a}:volume/{rid}"
        elif module == "ec2":
            prefix = _EC2_ID_PREFIX.get(kind)
            if prefix:
                rid = f"{prefix}-{_short_hash(typ, args.name, n=17)}"
            arn = f"arn:aws:ec2:{r}:{a}:{kind[0].lower() + kind[1:]}/{rid}"
            if kind == "LaunchTemplate":
                state["latestVersion"] = 1
                state["defaultVersion"] = 1
        else:
            lower = kind[0].lower() + kind[1:] if kind else "resource"
            arn = f"arn:aws:{module}:{r}:{a}:{lower}/{phys}"

        if "name" not in state and typ not in ("aws:sqs/queue:Queue",):
            state["name"] = phys
        elif typ == "aws:sqs/queue:Queue":
            state["name"] = phys
        if arn and "arn" not in state:
            state["arn"] = arn
        state.setdefault("tagsAll", state.get("tags") or {})
        return rid, state

    # ------------------------------------------------------------ remote components
    def remote_component(self, args: pulumi.runtime.MockResourceArgs, urn: str, *,
                         references: bool = True) -> tuple[str, dict, dict]:
        """The outputs a remote (multi-language) component returns, as its schema declares them.

        Under mocks no provider constructs the component, so it stays opaque: its children
        are not registered. Its resource-typed outputs (an ALB's ``loadBalancer``, a VPC's
        ``natGateways``) are references to the children it would create, whose state the
        monitor keeps so the program can read them (``alb.load_balancer.dns_name``).
        Returns ``(id, outputs, {child urn: (id, state)})``.
        """
        inputs = dict(args.inputs or {})
        kind = args.typ.rsplit(":", 1)[-1]
        qualified = urn.split("::")[2]
        children: dict[str, tuple[str, dict]] = {}

        def reference(cls: type, prop: str) -> Any:
            token = schema.type_token(cls)
            if token is None:
                return schema.UNKNOWN
            leaf, _, index = prop.partition("[")
            name = args.name if not index else f"{args.name}-{schema._snake(leaf).replace('_', '-')}-{index.rstrip(']')}"
            child_urn = f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{qualified}${token}::{name}"
            if child_urn not in children:
                children[child_urn] = self.new_resource(pulumi.runtime.MockResourceArgs(token, name, {}, custom=True))
            return {rpc._special_sig_key: rpc._special_resource_sig, "urn": child_urn,
                    "id": children[child_urn][0] or "", "type": token, "name": name, "packageVersion": ""}

        shaper = schema.Shaper(urn, reference=reference if references else None, counts=_awsx_counts(kind, inputs))
        state = _known(shaper.shape(schema.output_types(args.typ)))
        self._awsx_identifiers(kind, args.name, inputs, state)
        return f"{args.name}-id", state, children

    def _awsx_identifiers(self, kind: str, name: str, inputs: dict, state: dict) -> None:
        """Ids in the formats AWS gives them (subnet ids end in their AZ index, see getSubnet)."""
        h = _short_hash(name, n=8)
        if kind == "Vpc":
            counts = _awsx_counts(kind, inputs)
            state["vpcId"] = f"vpc-{h}"
            for spec, letter in (("private", "p"), ("public", "u"), ("isolated", "i")):
                state[f"{spec}SubnetIds"] = [f"subnet-{h}{letter}{i}" for i in range(counts[f"{spec}SubnetIds"])]
        elif kind in ("ApplicationLoadBalancer", "NetworkLoadBalancer") and "vpcId" in state:
            state["vpcId"] = inputs.get("vpcId") or f"vpc-{h}"
        elif kind == "Image":
            state["imageUri"] = (f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/"
                                 f"{name}@sha256:{_short_hash(name, n=64)}")
        elif kind == "Repository" and "url" in state:
            state["url"] = f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}-{_short_hash(name, n=7)}"

    # ------------------------------------------------------------ invokes
    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        tok = args.token
        r, a = self.region, self.account
        if tok == "aws:index/getRegion:getRegion":
            return {"name": r, "region": r, "id": r, "endpoint": f"ec2.{r}.amazonaws.com",
                    "description": r}
        if tok == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": a, "arn": f"arn:aws:iam::{a}:user/preview", "userId": "AIDAPREVIEW",
                    "id": a}
        if tok == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws",
                    "reverseDnsPrefix": "com.amazonaws"}
        if tok == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{r}{s}" for s in "abcdef"]
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in range(1, 7)], "id": r}
        if tok == "aws:ssm/getParameter:getParameter":
            name = str(args.args.get("name", ""))
            return {"name": name, "value": "ami-" + _short_hash(name, n=17), "type": "String",
                    "id": name, "arn": f"arn:aws:ssm:{r}:{a}:parameter{name}", "version": 1,
                    "insecureValue": "ami-" + _short_hash(name, n=17)}
        if tok == "aws:iot/getEndpoint:getEndpoint":
            kind = str(args.args.get("endpointType") or "iot:Data-ATS")
            prefix = _short_hash(a, r, n=14)
            host = (f"{prefix}-ats.iot.{r}.amazonaws.com" if kind == "iot:Data-ATS"
                    else f"{prefix}.{kind.split(':')[-1].lower()}.iot.{r}.amazonaws.com")
            return {"endpointAddress": host, "endpointType": kind, "id": r}
        if tok == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            # ECR's GetAuthorizationToken: user "AWS", a token, the registry's https endpoint.
            registry = str(args.args.get("registryId") or a)
            password = _short_hash("ecr-token", registry, n=64)
            return {"proxyEndpoint": f"https://{registry}.dkr.ecr.{r}.amazonaws.com", "userName": "AWS",
                    "password": password, "registryId": registry, "id": r, "region": r,
                    "authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(),
                    "expiresAt": "2030-01-01T12:00:00Z"}
        if tok == "aws:secretsmanager/getRandomPassword:getRandomPassword":
            length = int(args.args.get("passwordLength") or 32)
            value = (_short_hash("password", repr(sorted(args.args.items())), n=64) * 4)[:length]
            return {"randomPassword": value, "id": value}
        if tok == "aws:elb/getServiceAccount:getServiceAccount":
            # Elastic Load Balancing's own account in the region (us-east-1's shown for all).
            return {"arn": "arn:aws:iam::127311923021:root", "id": "127311923021", "region": r}
        if tok == "aws:ec2/getRouteTables:getRouteTables":
            vpc = str(args.args.get("vpcId") or "vpc")
            ids = [f"rtb-{_short_hash(vpc, str(i), n=17)}" for i in range(4)]
            return {"ids": ids, "id": r, "vpcId": vpc}
        if tok == "aws:ec2/getVpc:getVpc":
            vpc = str(args.args.get("id") or "vpc-" + _short_hash(repr(sorted(args.args.items())), n=17))
            return {"id": vpc, "cidrBlock": "10.0.0.0/16", "default": False, "state": "available",
                    "arn": f"arn:aws:ec2:{r}:{a}:vpc/{vpc}", "ownerId": a}
        if tok == "aws:ec2/getSubnet:getSubnet":
            # The zone follows a trailing digit (awsx mock ids end in p0, p1, ...), else a hash.
            sid = str(args.args.get("id") or "subnet-" + _short_hash(repr(sorted(args.args.items())), n=17))
            last = sid[-1]
            index = int(last) if last.isdigit() else int(_short_hash(sid, n=2), 16)
            zone = f"{r}{'abc'[index % 3]}"
            return {"id": sid, "availabilityZone": zone, "availabilityZoneId": f"use1-az{index % 3 + 1}",
                    "vpcId": "vpc-" + _short_hash(sid, n=17), "cidrBlock": f"10.0.{index % 256}.0/24",
                    "arn": f"arn:aws:ec2:{r}:{a}:subnet/{sid}", "ownerId": a}
        if tok == "aws:ec2/getAmi:getAmi":
            key = repr(sorted(args.args.items()))
            return {"id": "ami-" + _short_hash(key, n=17), "architecture": "arm64"}
        return self._declared_result(tok, dict(args.args or {}))

    def _declared_result(self, token: str, given: dict) -> dict:
        """An invoke nobody mocked: its declared result fields, the arguments echoed where names match."""
        shaper = schema.Shaper(token + repr(sorted(given.items(), key=repr)))
        result = shaper.shape(schema.invoke_result_types(token), given=given)
        if "id" in result and isinstance(result["id"], str) and "id" not in given:
            result["id"] = f"{token.rsplit(':', 1)[-1]}-{_short_hash(repr(sorted(given.items(), key=repr)), n=12)}"
        return _known(result)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"AwsMocks(region={self.region!r})"


def _known(value: Any) -> Any:
    """``value`` without the parts a mock cannot know (left out, they are unknown in a preview)."""
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items() if v != schema.UNKNOWN}
    if isinstance(value, list):
        return [_known(v) for v in value if v != schema.UNKNOWN]
    return value


#: awsx.ec2.Vpc's defaults (pulumi_awsx/ec2/vpc.py): the first 3 AZs, a public and a private
#: subnet in each, and one NAT gateway per AZ when there are both.
AWSX_DEFAULT_AZS = 3


def _awsx_counts(kind: str, inputs: dict) -> dict[str, int]:
    """How many items the list outputs of an awsx component hold, from its inputs."""
    if kind != "Vpc":
        return {}
    names = inputs.get("availabilityZoneNames")
    azs = len(names) if isinstance(names, list) and names else int(inputs.get("numberOfAvailabilityZones") or
                                                                  AWSX_DEFAULT_AZS)
    specs = inputs.get("subnetSpecs")
    kinds = ([str(s.get("type", "")).lower() for s in specs if isinstance(s, dict)]
             if isinstance(specs, list) and specs else ["public", "private"])
    per = {k: kinds.count(k) * azs for k in ("public", "private", "isolated")}
    nat = inputs.get("natGateways")
    strategy = str(nat.get("strategy") or "") if isinstance(nat, dict) else ""
    if not strategy:
        strategy = "OnePerAz" if per["public"] and per["private"] else "None"
    nats = {"None": 0, "Single": 1}.get(strategy, azs)
    subnets = sum(per.values())
    return {"publicSubnetIds": per["public"], "publicSubnets": per["public"],
            "privateSubnetIds": per["private"], "privateSubnets": per["private"],
            "isolatedSubnetIds": per["isolated"], "isolatedSubnets": per["isolated"],
            "subnets": subnets, "routeTables": subnets, "routeTableAssociations": subnets,
            "routes": per["public"] + (per["private"] if nats else 0),
            "natGateways": nats, "eips": nats, "vpcEndpoints": 0}


