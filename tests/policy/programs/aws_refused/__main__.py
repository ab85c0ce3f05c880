"""A greenhouse team's own stack, in plain pulumi_aws, with inputs AWS refuses at the first `pulumi up`.

Every mistake here is one a team makes without noticing (the mocks and `pulumi preview`
accept them all); tests/policy/test_aws_api_policies.py lists what each one breaks.
"""

import json

import pulumi
import pulumi_aws as aws

PROFILE = {"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "120"}
CODE = pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")})


def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


# Readings arrive on a queue that keeps SQS's default visibility timeout (30 s) and, by a slip,
# only 30 seconds of retention.
queue = aws.sqs.Queue("readings", message_retention_seconds=30)

role = aws.iam.Role("ingest-role", assume_role_policy=trust("lambda.amazonaws.com"))
worker = aws.lambda_.Function(
    "ingest", runtime="python3.12", handler="app.handler", role=role.arn, code=CODE,
    timeout=120, memory_size=64, architectures=["arm"],
    reserved_concurrent_executions=1, publish=True, tags=PROFILE)
live = aws.lambda_.Alias("ingest-live", name="live", function_name=worker.name, function_version=worker.version)
aws.lambda_.ProvisionedConcurrencyConfig("ingest-warm", function_name=worker.name, qualifier=live.name,
                                         provisioned_concurrent_executions=5)
aws.lambda_.EventSourceMapping("ingest-trigger", event_source_arn=queue.arn, function_name=live.arn, batch_size=50)
aws.cloudwatch.LogGroup("ingest-logs", name="/greenhouse/ingest worker", retention_in_days=45)

# Sensors publish to IoT Core; the rule forwards readings to the queue.
rule_role = aws.iam.Role("sensor-rule-role", assume_role_policy=trust("iot.amazonaws.com"))
aws.iot.TopicRule("sensor-readings", sql="SELECT * FROM 'greenhouse/+/readings'", sql_version="2016-03-23",
                  enabled=True, sqs=[aws.iot.TopicRuleSqsArgs(queue_url=queue.url, role_arn=rule_role.arn,
                                                              use_base64=False)])

# The dashboard: a Fargate task behind an ALB, in the team's own VPC.
vpc = aws.ec2.Vpc("greenhouse", cidr_block="10.20.0.0/16")
subnets = [aws.ec2.Subnet(f"public-{i}", vpc_id=vpc.id, cidr_block=f"10.20.{i}.0/24",
                          availability_zone="us-east-1a") for i in range(2)]
dashboard_sg = aws.ec2.SecurityGroup("dashboard-sg", vpc_id=vpc.id, description="Dashboard's load balancer")
aws.lb.LoadBalancer("dashboard", load_balancer_type="application", subnets=[s.id for s in subnets],
                    security_groups=[dashboard_sg.id])
aws.lb.TargetGroup("greenhouse-dashboard-websockets", port=3000, protocol="HTTP", target_type="ip",
                   vpc_id=vpc.id)
aws.ecs.TaskDefinition(
    "dashboard", family="greenhouse-dashboard", cpu="256", memory="4096", network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    container_definitions=json.dumps([{"name": "web", "image": "public.ecr.aws/nginx/nginx:1.27",
                                       "essential": True, "healthCheck": {"interval": 30}}]),
    tags={"workload:connections": "persistent", "workload:trigger": "continuous"})
