"""A three-tier stack with fixed, known sizes, built from plain pulumi_aws resources.

The tier components carry the same type tokens as the real ones, so the estimator
groups their children by tier exactly as it does for the repo's stack; the sizes
here are what tests/policy/cost/test_estimate.py prices by hand.
"""

import json

import pulumi
import pulumi_aws as aws


class Tier(pulumi.ComponentResource):
    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"iot-tiers:components:{kind}Tier", name, None, None)
        self.opts = pulumi.ResourceOptions(parent=self)


ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

# --- processing: IoT rule -> SQS -> Lambda (batches of 100, 256 MB arm64) -> DynamoDB + SNS
proc = Tier("Processing", "processing")
queue = aws.sqs.Queue("queue", opts=proc.opts)
dlq = aws.sqs.Queue("dlq", opts=proc.opts)
table = aws.dynamodb.Table("table", billing_mode="PAY_PER_REQUEST", hash_key="pk", range_key="sk",
                           attributes=[{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
                           point_in_time_recovery={"enabled": True}, opts=proc.opts)
topic = aws.sns.Topic("topic", opts=proc.opts)
key = aws.kms.Key("key", opts=proc.opts)
role = aws.iam.Role("role", assume_role_policy=ASSUME, opts=proc.opts)
fn = aws.lambda_.Function(
    "function", runtime="python3.12", handler="iot_tiers_runtime.processing.handler.handler", role=role.arn,
    code=pulumi.AssetArchive({}), memory_size=256, architectures=["arm64"], timeout=30,
    environment={"variables": {"TABLE_NAME": table.name, "ALERT_TOPIC_ARN": topic.arn, "TTL_DAYS": "30"}},
    opts=proc.opts)
alias = aws.lambda_.Alias("alias", name="live", function_name=fn.name, function_version="1", opts=proc.opts)
aws.lambda_.EventSourceMapping("event-source", event_source_arn=queue.arn, function_name=alias.arn,
                               batch_size=100, maximum_batching_window_in_seconds=1, opts=proc.opts)
aws.iot.TopicRule("rule", name="telemetry", enabled=True, sql="SELECT * FROM 'devices/+/telemetry'",
                  sql_version="2016-03-23",
                  sqs=[{"queue_url": queue.url, "role_arn": role.arn, "use_base64": False}],
                  error_action={"sqs": {"queue_url": dlq.url, "role_arn": role.arn, "use_base64": False}},
                  opts=proc.opts)
aws.cloudwatch.MetricAlarm("alarm-errors", namespace="AWS/Lambda", metric_name="Errors", statistic="Sum",
                           period=60, evaluation_periods=1, threshold=1,
                           comparison_operator="GreaterThanOrEqualToThreshold", opts=proc.opts)

# --- realtime: 2 Fargate tasks of 0.5 vCPU / 1 GB arm64 behind an ALB
rt = Tier("Realtime", "realtime")
cluster = aws.ecs.Cluster("cluster", opts=rt.opts)
task = aws.ecs.TaskDefinition(
    "task", family="bridge", cpu="512", memory="1024", network_mode="awsvpc", requires_compatibilities=["FARGATE"],
    runtime_platform={"cpu_architecture": "ARM64", "operating_system_family": "LINUX"},
    container_definitions=json.dumps([{"name": "bridge", "image": "bridge:1", "essential": True}]), opts=rt.opts)
aws.ecs.Service("service", cluster=cluster.arn, task_definition=task.arn, desired_count=2, launch_type="FARGATE",
                network_configuration={"subnets": ["subnet-a"], "assign_public_ip": False}, opts=rt.opts)
aws.lb.LoadBalancer("alb", load_balancer_type="application", subnets=["subnet-a", "subnet-b"], opts=rt.opts)

# --- heavy compute: one t4g.medium with a 30 GB gp3 volume, in an auto-scaling group
heavy = Tier("HeavyCompute", "broker")
lt = aws.ec2.LaunchTemplate("launch-template", instance_type="t4g.medium", image_id="ami-12345678",
                            block_device_mappings=[{"device_name": "/dev/xvda",
                                                    "ebs": {"volume_size": 30, "volume_type": "gp3"}}],
                            opts=heavy.opts)
aws.autoscaling.Group("group", desired_capacity=1, min_size=1, max_size=1, vpc_zone_identifiers=["subnet-a"],
                      launch_template={"id": lt.id, "version": "$Latest"}, opts=heavy.opts)

# --- shared: one NAT gateway, outside any tier
aws.ec2.NatGateway("nat", subnet_id="subnet-a", allocation_id="eipalloc-12345678")
