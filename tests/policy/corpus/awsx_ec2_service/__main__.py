import base64
import json

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

cluster = aws.ecs.Cluster("pollers")

ami = aws.ssm.get_parameter(name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")

node_role = aws.iam.Role("poller-node-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicyAttachment("poller-node-ecs", role=node_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
profile = aws.iam.InstanceProfile("poller-node-profile", role=node_role.name)

template = aws.ec2.LaunchTemplate(
    "poller-nodes",
    image_id=ami.value,
    instance_type="m6i.large",
    iam_instance_profile={"arn": profile.arn},
    metadata_options={"http_tokens": "required"},
    user_data=cluster.name.apply(lambda n: base64.b64encode(
        f"#!/bin/bash\necho ECS_CLUSTER={n} >> /etc/ecs/ecs.config\n".encode()).decode()),
)
group = aws.autoscaling.Group(
    "poller-nodes",
    min_size=1,
    max_size=3,
    vpc_zone_identifiers=["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
    launch_template={"id": template.id, "version": "$Latest"},
    tags=[{"key": "AmazonECSManaged", "value": "true", "propagate_at_launch": True}],
)
capacity = aws.ecs.CapacityProvider("poller-capacity", auto_scaling_group_provider={
    "auto_scaling_group_arn": group.arn,
    "managed_scaling": {"status": "ENABLED", "target_capacity": 100},
    "managed_termination_protection": "DISABLED",
})
aws.ecs.ClusterCapacityProviders("pollers", cluster_name=cluster.name, capacity_providers=[capacity.name],
                                 default_capacity_provider_strategies=[{"capacity_provider": capacity.name, "weight": 1}])

poller = awsx.ecs.EC2Service(
    "modbus-poller",
    cluster=cluster.arn,
    desired_count=1,
    capacity_provider_strategies=[{"capacity_provider": capacity.name, "weight": 1}],
    task_definition_args={
        "container": {
            "name": "poller",
            "image": "ghcr.io/acme/modbus-poller:1.9",
            "cpu": 512,
            "memory": 768,
            "essential": True,
        },
    },
    tags={"workload:connections": "none", "workload:trigger": "continuous"},
)
