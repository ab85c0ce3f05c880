import base64
import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
instance_type = cfg.get("nodeType") or "c6i.2xlarge"

cluster = aws.ecs.Cluster("transcode")

ami = aws.ssm.get_parameter_output(name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")
node_role = aws.iam.Role("transcode-node", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("transcode-node-ecs", role=node_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
node_profile = aws.iam.InstanceProfile("transcode-node", role=node_role.name)

nodes_lt = aws.ec2.LaunchTemplate(
    "transcode-nodes",
    image_id=ami.value,
    instance_type=instance_type,
    iam_instance_profile={"name": node_profile.name},
    user_data=cluster.name.apply(lambda n: base64.b64encode(f"#!/bin/bash\necho ECS_CLUSTER={n} >> /etc/ecs/ecs.config\n".encode()).decode()),
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 60, "volume_type": "gp3"}}],
)
nodes = aws.autoscaling.Group(
    "transcode-nodes",
    min_size=0,
    max_size=10,
    vpc_zone_identifiers=["subnet-0a1", "subnet-0b2", "subnet-0c3"],
    mixed_instances_policy={
        "launch_template": {
            "launch_template_specification": {"launch_template_id": nodes_lt.id, "version": "$Latest"},
            "overrides": [{"instance_type": "c6i.2xlarge"}, {"instance_type": "c7i.2xlarge"}],
        },
        "instances_distribution": {"on_demand_percentage_above_base_capacity": 0},
    },
)
provider = aws.ecs.CapacityProvider("transcode-nodes", auto_scaling_group_provider={
    "auto_scaling_group_arn": nodes.arn,
    "managed_scaling": {"status": "ENABLED", "target_capacity": 90},
})
aws.ecs.ClusterCapacityProviders("transcode", cluster_name=cluster.name, capacity_providers=[provider.name])

td = aws.ecs.TaskDefinition(
    "transcoder",
    family="transcoder",
    requires_compatibilities=["EC2"],
    network_mode="bridge",
    container_definitions=json.dumps([{
        "name": "ffmpeg", "image": "ghcr.io/acme/transcoder:7", "essential": True, "cpu": 4096, "memory": 7168}]),
)
aws.ecs.Service(
    "transcoder",
    cluster=cluster.arn,
    task_definition=td.arn,
    desired_count=2,
    capacity_provider_strategies=[{"capacity_provider": provider.name, "weight": 1, "base": 1}],
    tags={"workload:connections": "none", "workload:trigger": "continuous"},
)
