import json

import pulumi
import pulumi_aws as aws

shadows = aws.dynamodb.Table(
    "device-shadows",
    billing_mode="PAY_PER_REQUEST",
    hash_key="device_id",
    attributes=[{"name": "device_id", "type": "S"}],
    stream_enabled=True,
    stream_view_type="NEW_AND_OLD_IMAGES",
    point_in_time_recovery={"enabled": True},
)

audit_role = aws.iam.Role("audit-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicy("audit-stream", role=audit_role.id, policy=shadows.stream_arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Resource": arn, "Action": [
        "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"]}],
})))

audit = aws.lambda_.Function(
    "shadow-audit",
    role=audit_role.arn,
    runtime="python3.12",
    handler="audit.handler",
    code=pulumi.AssetArchive({"audit.py": pulumi.StringAsset("def handler(event, context):\n    pass\n")}),
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "10"},
)
aws.lambda_.EventSourceMapping("shadow-audit-stream", event_source_arn=shadows.stream_arn,
                               function_name=audit.name, starting_position="TRIM_HORIZON",
                               maximum_retry_attempts=3, bisect_batch_on_function_error=True)
