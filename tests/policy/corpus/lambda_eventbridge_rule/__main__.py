import json

import pulumi
import pulumi_aws as aws

rule = aws.cloudwatch.EventRule(
    "gateway-stopped",
    description="An edge gateway instance stopped",
    event_pattern=json.dumps({
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["stopped", "terminated"]},
    }),
)

role = aws.iam.Role("watch-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))

watcher = aws.lambda_.Function(
    "gateway-watcher",
    role=role.arn,
    package_type="Image",
    image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/gateway-watcher:3",
    timeout=20,
    architectures=["arm64"],
)

aws.cloudwatch.EventTarget("gateway-stopped-to-watcher", rule=rule.name, arn=watcher.arn,
                           retry_policy={"maximum_retry_attempts": 2, "maximum_event_age_in_seconds": 3600})
aws.lambda_.Permission("gateway-stopped-invoke", action="lambda:InvokeFunction", function=watcher.name,
                       principal="events.amazonaws.com", source_arn=rule.arn)
