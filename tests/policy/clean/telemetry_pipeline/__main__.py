"""IoT rule -> SQS -> Lambda -> DynamoDB, written with small helper functions."""
import json

import pulumi
import pulumi_aws as aws

stack = pulumi.get_stack()
account = aws.get_caller_identity_output().account_id


def key_policy(*statements):
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account, ":root")},
         "Action": "kms:*", "Resource": "*"}, *statements]})


def encrypted_queue(name, key, **extra):
    return aws.sqs.Queue(name, kms_master_key_id=key.arn, message_retention_seconds=1209600, **extra)


def logged(name):
    return aws.cloudwatch.LogGroup(f"{name}-logs", name=f"/iot/{stack}/{name}", retention_in_days=400, kms_key_id=key.arn)


key = aws.kms.Key("data-key", description="telemetry data", enable_key_rotation=True, policy=key_policy(
    {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
     "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"], "Resource": "*"}))
dlq = encrypted_queue("readings-dlq", key)
queue = encrypted_queue("readings", key, visibility_timeout_seconds=180,
                        redrive_policy=dlq.arn.apply(lambda a: json.dumps({"deadLetterTargetArn": a, "maxReceiveCount": 5})))
rejects = encrypted_queue("rejects", key)
table = aws.dynamodb.Table(
    "readings", billing_mode="PAY_PER_REQUEST", hash_key="pk", range_key="sk",
    attributes=[{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
    point_in_time_recovery={"enabled": True}, deletion_protection_enabled=True)

role = aws.iam.Role("ingest-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
group = logged("ingest")
aws.iam.RolePolicy("ingest-policy", role=role.id, policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": queue.arn},
    {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:BatchWriteItem"], "Resource": table.arn},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn},
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": pulumi.Output.concat(group.arn, ":*")},
    {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}]}))
fn = aws.lambda_.Function(
    "ingest", runtime="python3.12", handler="app.handler", role=role.arn, timeout=30, memory_size=256,
    reserved_concurrent_executions=20, tracing_config={"mode": "Active"},
    logging_config={"log_format": "JSON", "log_group": group.name},
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(event, context):\n    return None\n")}),
    environment={"variables": {"TABLE_NAME": table.name, "REJECTS_QUEUE_URL": rejects.url,
                               "TOKEN_TTL_SECONDS": "3600", "LOG_LEVEL": "INFO"}},
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "30"})
aws.lambda_.EventSourceMapping("ingest-from-queue", event_source_arn=queue.arn, function_name=fn.name, batch_size=10)

rule_role = aws.iam.Role("rule-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "iot.amazonaws.com"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]}))
aws.iam.RolePolicy("rule-policy", role=rule_role.id, policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": [queue.arn, rejects.arn]},
    {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key.arn}]}))
aws.iot.TopicRule(
    "telemetry", name=f"telemetry_{stack}", enabled=True, sql="SELECT * FROM 'devices/+/telemetry'", sql_version="2016-03-23",
    sqs=[{"queue_url": queue.url, "role_arn": rule_role.arn, "use_base64": False}],
    error_action={"sqs": {"queue_url": rejects.url, "role_arn": rule_role.arn, "use_base64": False}})
