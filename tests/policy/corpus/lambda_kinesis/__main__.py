import json

import pulumi
from pulumi_aws import iam, kinesis, lambda_

stream = kinesis.Stream("telemetry", shard_count=2, retention_period=48,
                        stream_mode_details=kinesis.StreamStreamModeDetailsArgs(stream_mode="PROVISIONED"))

role = iam.Role(
    "enricher-role",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }),
    managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole"],
)

enricher = lambda_.Function(
    "enricher",
    lambda_.FunctionArgs(
        role=role.arn,
        runtime="nodejs20.x",
        handler="index.handler",
        timeout=45,
        code=pulumi.AssetArchive({"index.js": pulumi.StringAsset(
            "exports.handler = async (event) => ({ batchItemFailures: [] });\n")}),
    ),
)

lambda_.EventSourceMapping(
    "enricher-from-stream",
    lambda_.EventSourceMappingArgs(
        event_source_arn=stream.arn,
        function_name=enricher.arn,
        starting_position="LATEST",
        batch_size=500,
        maximum_batching_window_in_seconds=5,
        function_response_types=["ReportBatchItemFailures"],
    ),
)
