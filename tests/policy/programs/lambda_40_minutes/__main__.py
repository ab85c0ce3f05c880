"""Misplaced: a Lambda function declared to run 40-minute units of work (over 900 s: EC2),
which its 900 s timeout would kill anyway."""
import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("etl-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.lambda_.Function(
    "nightly-etl", runtime="python3.12", handler="index.handler", role=role.arn, timeout=900,
    reserved_concurrent_executions=1,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")}),
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "2400"})
