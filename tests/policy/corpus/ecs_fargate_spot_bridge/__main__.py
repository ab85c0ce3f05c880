import json

import pulumi
import pulumi_aws as aws

efs = aws.efs.FileSystem("bridge-state", encrypted=True)

cluster = aws.ecs.Cluster("bridge")
aws.ecs.ClusterCapacityProviders("bridge", cluster_name=cluster.name,
                                 capacity_providers=["FARGATE", "FARGATE_SPOT"])

task = aws.ecs.TaskDefinition(
    "bridge",
    family="bridge",
    requires_compatibilities=["FARGATE"],
    network_mode="awsvpc",
    cpu="512",
    memory="1024",
    ephemeral_storage={"size_in_gib": 150},   # replay buffer, rebuilt on start
    volumes=[{"name": "state", "efs_volume_configuration": {"file_system_id": efs.id, "transit_encryption": "ENABLED"}}],
    container_definitions=json.dumps([{
        "name": "bridge",
        "image": "ghcr.io/acme/mqtt-ws-bridge:3.1",
        "essential": True,
        "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
        "mountPoints": [{"sourceVolume": "state", "containerPath": "/var/lib/bridge"}],
    }]),
    tags={"workload:connections": "persistent", "workload:trigger": "continuous"},
)
aws.ecs.Service(
    "bridge",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    capacity_provider_strategies=[
        {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
        {"capacity_provider": "FARGATE_SPOT", "weight": 3},
    ],
    network_configuration={"subnets": ["subnet-01", "subnet-02"], "assign_public_ip": False},
)
