"""DynamoDB stream -> Lambda worker with an on-failure destination, outputs combined with Output.all (the apply style)."""
import json

import pulumi
import pulumi_aws as aws

KEY = "arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-0000-1111-2222-333344445555"
devices = aws.dynamodb.Table(
    "devices", billing_mode="PAY_PER_REQUEST", hash_key="deviceId", attributes=[{"name": "deviceId", "type": "S"}],
    stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
    server_side_encryption={"enabled": True, "kms_key_arn": KEY}, point_in_time_recovery={"enabled": True},
    deletion_protection_enabled=True)
failures = aws.sqs.Queue("stream-failures", kms_master_key_id=KEY, message_retention_seconds=1209600)
role = aws.iam.Role("worker-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
logs = aws.cloudwatch.LogGroup("worker-logs", name="/aws/lambda/device-worker", retention_in_days=400, kms_key_id=KEY)
aws.iam.RolePolicy("worker-policy", role=role.id, policy=pulumi.Output.all(devices.stream_arn, failures.arn, logs.arn).apply(
    lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"],
         "Resource": a[0]},
        {"Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": a[1]},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{a[2]}:*"}]})))
worker = aws.lambda_.Function(
    "device-worker", name="device-worker", runtime="python3.13", handler="worker.handler", role=role.arn, timeout=60,
    reserved_concurrent_executions=5, tracing_config={"mode": "PassThrough"},
    code=pulumi.AssetArchive({"worker.py": pulumi.StringAsset("def handler(event, context):\n    return None\n")}),
    environment={"variables": {"DEVICES_TABLE": devices.name, "BATCH_WINDOW": "5s", "RETRY_MODE": "standard"}},
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "60"})
aws.lambda_.EventSourceMapping("device-stream", event_source_arn=devices.stream_arn, function_name=worker.name,
                               starting_position="LATEST", maximum_retry_attempts=3, bisect_batch_on_function_error=True,
                               destination_config={"on_failure": {"destination_arn": failures.arn}})
