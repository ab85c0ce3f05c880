"""Image thumbnails, rendered by a small Fargate fleet that drains a queue."""
import json

import pulumi
import pulumi_aws as aws

SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]

jobs = aws.sqs.Queue("thumbnail-jobs", visibility_timeout_seconds=600, sqs_managed_sse_enabled=True)

task_role = aws.iam.Role("thumbnailer-task", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
consume = aws.iam.Policy("thumbnailer-consume", policy=jobs.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Resource": arn,
                   "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]}],
})))
aws.iam.RolePolicyAttachment("thumbnailer-consume", role=task_role.name, policy_arn=consume.arn)

logs = aws.cloudwatch.LogGroup("thumbnailer", retention_in_days=14)
task = aws.ecs.TaskDefinition(
    "thumbnailer",
    family="thumbnailer",
    requires_compatibilities=["FARGATE"],
    network_mode="awsvpc",
    cpu="1024",
    memory="2048",
    task_role_arn=task_role.arn,
    container_definitions=pulumi.Output.json_dumps([{
        "name": "render",
        "image": "ghcr.io/acme/thumbnailer:5.2",
        "essential": True,
        "environment": [{"name": "QUEUE_URL", "value": jobs.url}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": logs.name, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "render"}},
    }]),
)
cluster = aws.ecs.Cluster("media")
aws.ecs.Service(
    "thumbnailer",
    cluster=cluster.id,
    task_definition=task.arn,
    desired_count=3,
    launch_type="FARGATE",
    network_configuration={"subnets": SUBNETS, "assign_public_ip": False},
    tags={"workload:connections": "none", "workload:trigger": "event"},
)
