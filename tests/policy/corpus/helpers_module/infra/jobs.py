"""Scheduled jobs: a function and the EventBridge rule that runs it."""
import json

import pulumi
import pulumi_aws as aws

from .naming import resource_name, standard_tags

_LAMBDA_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})


def scheduled_function(name: str, schedule: str, source: str, timeout: int = 60, owner: str = "fleet-team"):
    role = aws.iam.Role(f"{name}-role", assume_role_policy=_LAMBDA_TRUST, tags=standard_tags(owner))
    aws.iam.RolePolicyAttachment(f"{name}-logs", role=role.name,
                                 policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    fn = aws.lambda_.Function(
        name,
        name=resource_name(name),
        role=role.arn,
        runtime="python3.13",
        handler="index.handler",
        timeout=timeout,
        code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(source)}),
        tags=standard_tags(owner),
    )
    rule = aws.cloudwatch.EventRule(f"{name}-schedule", schedule_expression=schedule, tags=standard_tags(owner))
    aws.cloudwatch.EventTarget(f"{name}-target", rule=rule.name, arn=fn.arn)
    aws.lambda_.Permission(f"{name}-allow-events", action="lambda:InvokeFunction", function=fn.name,
                           principal="events.amazonaws.com", source_arn=rule.arn)
    return fn
