"""Misplaced: a Lambda function declared to need a GPU (step 0: EC2)."""
import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("infer-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.lambda_.Function(
    "infer", runtime="python3.12", handler="index.handler", role=role.arn, timeout=60,
    reserved_concurrent_executions=2,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")}),
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "60",
          "workload:gpu": "true"})
