"""aws_team_coverage/ as a first draft: the same stack with the mistakes AWS (or pulumi-aws) refuses.

Each mistake is marked "# mistake:"; tests/policy/test_aws_rule_classes.py lists the finding
each one gets. The plant CIDR in Pulumi.dev.yaml is a host address (10.20.0.1/16), not a network.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
stack = pulumi.get_stack()
plant_cidr = config.get("plantCidr") or "10.20.0.0/16"

tags = {"team": "greenhouse", "env": stack}
profile = {**tags, "workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "30"}

# --- encryption -------------------------------------------------------------------------
key = aws.kms.Key("telemetry-key", description="greenhouse telemetry at rest", enable_key_rotation=True,
                  deletion_window_in_days=7, tags=tags)
# mistake: an alias name without its alias/ prefix
aws.kms.Alias("telemetry-key-alias", name=f"greenhouse-telemetry-{stack}", target_key_id=key.key_id)

# --- raw readings bucket and its configuration -----------------------------------------
access_logs = aws.s3.Bucket("access-logs", force_destroy=True, tags=tags)
raw = aws.s3.Bucket("raw-readings", tags=tags)

aws.s3.BucketPublicAccessBlock("raw-readings-pab", bucket=raw.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketVersioning("raw-readings-versioning", bucket=raw.id,
                        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"))
aws.s3.BucketServerSideEncryptionConfiguration(
    "raw-readings-sse", bucket=raw.id,
    rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=key.arn),
        bucket_key_enabled=True)])
aws.s3.BucketLogging("raw-readings-logging", bucket=raw.id, target_bucket=access_logs.id, target_prefix="raw-readings/")
aws.s3.BucketLifecycleConfiguration("raw-readings-lifecycle", bucket=raw.id, rules=[{
    "id": "archive-readings",
    "status": "Enabled",
    "filter": {"prefix": "readings/"},
    # mistake: INFREQUENT_ACCESS is not a storage class (STANDARD_IA is)
    "transitions": [{"days": 30, "storage_class": "INFREQUENT_ACCESS"}, {"days": 90, "storage_class": "GLACIER"}],
    "expiration": {"days": 730},
}])
aws.s3.BucketPolicy("raw-readings-tls-only", bucket=raw.id, policy=raw.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
})))

# --- queue, topic, and who may write to them -------------------------------------------
# mistake: a visibility timeout shorter than the consuming function's 30 s timeout
readings = aws.sqs.Queue("readings", visibility_timeout_seconds=20, message_retention_seconds=4 * 86400,
                         sqs_managed_sse_enabled=True, tags=tags)
aws.sqs.QueuePolicy("readings-from-iot", queue_url=readings.id, policy=readings.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "iot.amazonaws.com"}, "Action": "sqs:SendMessage",
                   "Resource": arn}],
})))

alerts = aws.sns.Topic("alerts", kms_master_key_id="alias/aws/sns", tags=tags)
aws.sns.TopicPolicy("alerts-from-cloudwatch", arn=alerts.arn, policy=alerts.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
                   "Resource": arn}],
})))
aws.sns.TopicSubscription("alerts-oncall", topic=alerts.arn, protocol="email", endpoint="oncall@example.com")

# --- the ingest function ----------------------------------------------------------------
ingest_role = aws.iam.Role("ingest-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}), tags=tags)
aws.iam.RolePolicyAttachment("ingest-basic", role=ingest_role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")

ingest = aws.lambda_.Function(
    "ingest",
    args=aws.lambda_.FunctionArgs(
        # mistake: memory as text with its unit
        runtime="python3.12", handler="app.handler", role=ingest_role.arn, timeout=30, memory_size="512MB",
        code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")}),
        environment={"variables": {"BUCKET": raw.bucket}},
        tags=profile,
    ))
aws.lambda_.EventSourceMapping("ingest-from-queue", event_source_arn=readings.arn, function_name=ingest.arn,
                               batch_size=50, maximum_batching_window_in_seconds=5,
                               function_response_types=["ReportBatchItemFailures"])
aws.lambda_.FunctionUrl("ingest-url", function_name=ingest.name, authorization_type="AWS_IAM")

ingest_logs = aws.cloudwatch.LogGroup("ingest-logs", name=ingest.name.apply(lambda n: f"/aws/lambda/{n}"),
                                      retention_in_days=30, tags=tags)
# mistake: a metric namespace with a colon
aws.cloudwatch.LogMetricFilter("ingest-errors", log_group_name=ingest_logs.name, pattern="ERROR",
                               metric_transformation={"name": "IngestErrors", "namespace": "Greenhouse:Ingest",
                                                      "value": "1", "default_value": "0"})
# mistake: a 90 s period (AWS takes 10, 20, 30 or a multiple of 60)
aws.cloudwatch.MetricAlarm("ingest-errors-alarm", namespace="Greenhouse/Ingest", metric_name="IngestErrors",
                           statistic="Sum", period=90, evaluation_periods=3, datapoints_to_alarm=2, threshold=5,
                           comparison_operator="GreaterThanThreshold", treat_missing_data="notBreaching",
                           alarm_actions=[alerts.arn])

# --- dashboards: a WebSocket API in front of the function ------------------------------
ws = aws.apigatewayv2.Api("dashboard-ws", protocol_type="WEBSOCKET",
                          route_selection_expression="$request.body.action", tags=tags)
# mistake: 30 s is the HTTP API limit; a WebSocket integration allows 29 s
ws_lambda = aws.apigatewayv2.Integration("dashboard-ws-lambda", api_id=ws.id, integration_type="AWS_PROXY",
                                         integration_uri=ingest.invoke_arn, timeout_milliseconds=30000)
for route_key in ["$connect", "$disconnect", "$default"]:
    aws.apigatewayv2.Route(f"dashboard-ws-{route_key.lstrip('$')}", api_id=ws.id, route_key=route_key,
                           target=ws_lambda.id.apply(lambda i: f"integrations/{i}"))
aws.apigatewayv2.Stage("dashboard-ws-stage", api_id=ws.id, name=stack, auto_deploy=True,
                       default_route_settings={"throttling_burst_limit": 100, "throttling_rate_limit": 50})
aws.lambda_.Permission("dashboard-ws-invoke", action="lambda:InvokeFunction", function=ingest.name,
                       principal="apigateway.amazonaws.com",
                       source_arn=ws.execution_arn.apply(lambda arn: f"{arn}/*/*"))

# --- nightly export --------------------------------------------------------------------
# mistake: a logical name too long for the rule's auto-name (at most 64 characters)
nightly = aws.cloudwatch.EventRule("nightly-export-of-yesterdays-raw-readings-to-the-data-lake-bucket",
                                   schedule_expression="cron(0 3 * * ? *)", description="export yesterday's readings")
aws.cloudwatch.EventTarget("nightly-export-ingest", rule=nightly.name, arn=ingest.arn,
                           retry_policy={"maximum_retry_attempts": 2, "maximum_event_age_in_seconds": 3600})
aws.lambda_.Permission("nightly-export-invoke", action="lambda:InvokeFunction", function=ingest.name,
                       principal="events.amazonaws.com", source_arn=nightly.arn)

# --- a device registry ------------------------------------------------------------------
# mistake: an attribute that is no key (DynamoDB defines only key attributes up front)
table = aws.dynamodb.Table("devices", billing_mode="PAY_PER_REQUEST", hash_key="deviceId", range_key="seenAt",
                           attributes=[{"name": "deviceId", "type": "S"}, {"name": "seenAt", "type": "N"},
                                       {"name": "site", "type": "S"}, {"name": "firmware", "type": "S"}],
                           global_secondary_indexes=[{"name": "by-site", "hash_key": "site",
                                                      "projection_type": "KEYS_ONLY"}],
                           point_in_time_recovery={"enabled": True}, tags=tags)
for gateway in ["north", "south"]:
    aws.iot.Thing(f"gateway-{gateway}", attributes={"site": gateway})

# --- the broker host's firewall, rule by rule ------------------------------------------
broker_sg = aws.ec2.SecurityGroup("broker-sg", description="MQTT broker for the plant floor", vpc_id="vpc-0a1b2c3d",
                                  tags=tags)
for port in (1883, 8883):
    aws.ec2.SecurityGroupRule(f"broker-mqtt-{port}", type="ingress", security_group_id=broker_sg.id,
                              protocol="tcp", from_port=port, to_port=port, cidr_blocks=[plant_cidr],
                              description=f"MQTT {port} from the plant network")
aws.ec2.SecurityGroupRule("broker-egress", type="egress", security_group_id=broker_sg.id, protocol="-1",
                          from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"], description="anywhere")

# --- the broker image -------------------------------------------------------------------
repo = aws.ecr.Repository("broker", image_tag_mutability="IMMUTABLE",
                          image_scanning_configuration={"scan_on_push": True}, tags=tags)
aws.ecr.RepositoryPolicy("broker-pull", repository=repo.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "PullFromTheAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}],
}))

pulumi.export("websocketUrl", ws.api_endpoint)
