"""Types AWS does not bill by themselves, and that belong to no priced service module."""

from __future__ import annotations

from ..registry import free

free("IAM is free", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy",
     "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/instanceProfile:InstanceProfile",
     "aws:iam/user:User", "aws:iam/group:Group", "aws:iam/policyAttachment:PolicyAttachment",
     "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/serviceLinkedRole:ServiceLinkedRole")
free("AWS does not bill networking configuration (VPCs, subnets, routes, security groups, ACLs)",
     "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route",
     "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/internetGateway:InternetGateway",
     "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule",
     "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
     "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/networkAcl:NetworkAcl",
     "aws:ec2/networkAclRule:NetworkAclRule", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
     "aws:ec2/defaultRouteTable:DefaultRouteTable", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
     "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
     "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation")
free("AWS IoT Core does not bill certificates, policies or things (connections and messages are priced "
     "where they happen)", "aws:iot/certificate:Certificate", "aws:iot/policy:Policy",
     "aws:iot/policyAttachment:PolicyAttachment", "aws:iot/thing:Thing",
     "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment", "aws:iot/thingType:ThingType")
free("Application Auto Scaling is free (it changes what the scaled resource costs)",
     "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy",
     "aws:appautoscaling/scheduledAction:ScheduledAction", "aws:autoscaling/policy:Policy",
     "aws:autoscaling/schedule:Schedule", "aws:autoscaling/attachment:Attachment")
free("an ACM public certificate is free", "aws:acm/certificate:Certificate",
     "aws:acm/certificateValidation:CertificateValidation")
