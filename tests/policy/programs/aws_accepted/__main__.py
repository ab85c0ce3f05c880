"""The greenhouse team's stack of aws_refused/, with every input AWS refused put right."""

import json

import pulumi
import pulumi_aws as aws

PROFILE = {"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "120"}
CODE = pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")})


def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


queue = aws.sqs.Queue("readings", message_retention_seconds=4 * 24 * 3600, visibility_timeout_seconds=720)

role = aws.iam.Role("ingest-role", assume_role_policy=trust("lambda.amazonaws.com"))
worker = aws.lambda_.Function(
    "ingest", runtime="python3.12", handler="app.handler", role=role.arn, code=CODE,
    timeout=120, memory_size=256, architectures=["arm64"],
    reserved_concurrent_executions=10, publish=True, tags=PROFILE)
live = aws.lambda_.Alias("ingest-live", name="live", function_name=worker.name, function_version=worker.version)
aws.lambda_.ProvisionedConcurrencyConfig("ingest-warm", function_name=worker.name, qualifier=live.name,
                                         provisioned_concurrent_executions=5)
aws.lambda_.EventSourceMapping("ingest-trigger", event_source_arn=queue.arn, function_name=live.arn, batch_size=50,
                               maximum_batching_window_in_seconds=1)
aws.cloudwatch.LogGroup("ingest-logs", name="/greenhouse/ingest-worker", retention_in_days=30)

rule_role = aws.iam.Role("sensor-rule-role", assume_role_policy=trust("iot.amazonaws.com"))
aws.iot.TopicRule("sensor-readings", name="greenhouse_sensor_readings",
                  sql="SELECT * FROM 'greenhouse/+/readings'", sql_version="2016-03-23",
                  enabled=True, sqs=[aws.iot.TopicRuleSqsArgs(queue_url=queue.url, role_arn=rule_role.arn,
                                                              use_base64=False)])

vpc = aws.ec2.Vpc("greenhouse", cidr_block="10.20.0.0/16")
subnets = [aws.ec2.Subnet(f"public-{i}", vpc_id=vpc.id, cidr_block=f"10.20.{i}.0/24",
                          availability_zone=f"us-east-1{'ab'[i]}") for i in range(2)]
dashboard_sg = aws.ec2.SecurityGroup("dashboard-sg", vpc_id=vpc.id, description="Dashboard load balancer")
aws.lb.LoadBalancer("dashboard", load_balancer_type="application", subnets=[s.id for s in subnets],
                    security_groups=[dashboard_sg.id])
aws.lb.TargetGroup("dashboard-ws", port=3000, protocol="HTTP", target_type="ip", vpc_id=vpc.id)
aws.ecs.TaskDefinition(
    "dashboard", family="greenhouse-dashboard", cpu="256", memory="512", network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    container_definitions=json.dumps([{"name": "web", "image": "public.ecr.aws/nginx/nginx:1.27",
                                       "essential": True,
                                       "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/"],
                                                       "interval": 30}}]),
    tags={"workload:connections": "persistent", "workload:trigger": "continuous"})
