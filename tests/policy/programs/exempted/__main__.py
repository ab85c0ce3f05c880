"""Exempted: a continuously running EC2-style workload kept on Lambda on purpose, with a reason.
The misplacement is reported as advisory and names the reason; the preview passes."""
import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("poller-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
fn = aws.lambda_.Function(
    "legacy-poller", runtime="python3.12", handler="index.handler", role=role.arn, timeout=60,
    reserved_concurrent_executions=1,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")}),
    tags={"workload:connections": "none", "workload:trigger": "continuous",
          "workload:exemption": "legacy poller - moves to HeavyComputeTier in Q3 - TICKET-42"})
aws.cloudwatch.LogGroup("poller-logs", name=fn.name.apply(lambda n: f"/aws/lambda/{n}"), retention_in_days=7)
