"""Misplaced: a Fargate service doing 5-second jobs from an SQS queue (event work under
900 s: the rule puts it on Lambda)."""
import json

import pulumi
import pulumi_aws as aws

queue = aws.sqs.Queue("jobs", sqs_managed_sse_enabled=True, visibility_timeout_seconds=30)
task_role = aws.iam.Role("worker-task-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("worker-consume", role=task_role.id, policy=queue.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": arn,
                                            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"]}]})))
logs = aws.cloudwatch.LogGroup("worker-logs", retention_in_days=7)
cluster = aws.ecs.Cluster("jobs-cluster", settings=[{"name": "containerInsights", "value": "enabled"}])
profile = {"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "5"}
task = aws.ecs.TaskDefinition(
    "worker", family="worker", cpu="256", memory="512", network_mode="awsvpc", requires_compatibilities=["FARGATE"],
    task_role_arn=task_role.arn, tags=profile,
    container_definitions=pulumi.Output.all(queue.url, logs.name).apply(lambda a: json.dumps([{
        "name": "worker", "image": "public.ecr.aws/docker/library/python:3.12-slim", "essential": True,
        "readonlyRootFilesystem": True, "environment": [{"name": "QUEUE_URL", "value": a[0]}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": a[1], "awslogs-region": "us-east-1",
                                                                 "awslogs-stream-prefix": "worker"}}}])))
aws.ecs.Service("worker", cluster=cluster.arn, task_definition=task.arn, desired_count=2, launch_type="FARGATE",
                network_configuration={"subnets": ["subnet-0a", "subnet-0b"], "assign_public_ip": False},
                tags=profile)
