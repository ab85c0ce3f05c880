"""A self-hosted MQTT broker on EC2 behind an NLB, sized from a dataclass (the typed-settings style)."""
import base64
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class BrokerSettings:
    instance_type: str = "m7g.large"
    ami: str = "ami-0fedcba9876543210"
    subnets: tuple = ("subnet-0a1", "subnet-0b2")
    vpc: str = "vpc-0123456789abcdef0"
    vpc_cidr: str = "10.0.0.0/16"
    size: int = 2


s = BrokerSettings()
role = aws.iam.Role("broker-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    managed_policy_arns=["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                         "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"])
profile = aws.iam.InstanceProfile("broker-profile", role=role.name)
sg = aws.ec2.SecurityGroup(
    "broker-sg", vpc_id=s.vpc, description="MQTT broker: TLS clients in, HTTPS out",
    ingress=[{"protocol": "tcp", "from_port": 8883, "to_port": 8883, "cidr_blocks": [s.vpc_cidr],
              "description": "MQTT over TLS from the VPC (the NLB)"}],
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"],
             "description": "SSM, CloudWatch and package mirrors"}])
user_data = base64.b64encode(b"#!/bin/bash\ndnf install -y mosquitto\nsystemctl enable --now mosquitto\n").decode()
template = aws.ec2.LaunchTemplate(
    "broker-template", image_id=s.ami, instance_type=s.instance_type, user_data=user_data,
    iam_instance_profile={"arn": profile.arn}, vpc_security_group_ids=[sg.id], monitoring={"enabled": True},
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true", "volume_size": 30,
                                                                 "volume_type": "gp3", "kms_key_id": "alias/ebs-broker"}}],
    tags={"workload:connections": "persistent", "workload:trigger": "continuous", "workload:disk-gb": "30"})
aws.autoscaling.Group(
    "broker-asg", min_size=s.size, max_size=s.size, desired_capacity=s.size, vpc_zone_identifiers=list(s.subnets),
    launch_template={"id": template.id, "version": "$Latest"}, health_check_type="EC2",
    tags=[{"key": k, "value": v, "propagate_at_launch": True}
          for k, v in {"workload:connections": "persistent", "workload:trigger": "continuous"}.items()])
