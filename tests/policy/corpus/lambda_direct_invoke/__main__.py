import json

import pulumi
import pulumi_aws as aws

trust = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})
role = aws.iam.Role("geo-role", assume_role_policy=trust)
code = pulumi.AssetArchive({"geo.py": pulumi.StringAsset("def lookup(event, context):\n    return {}\n")})

# Called synchronously by the device registry (another account) through the SDK.
lookup = aws.lambda_.Function(
    "geo-lookup", role=role.arn, runtime="python3.12", handler="geo.lookup", timeout=8, code=code,
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "8"},
)
aws.lambda_.Permission("registry-account-invoke", action="lambda:InvokeFunction", function=lookup.name,
                       principal="210987654321")

# Called by our own backend with boto3; nothing in this stack shows how it runs.
reverse = aws.lambda_.Function("geo-reverse", role=role.arn, runtime="python3.12", handler="geo.lookup",
                               timeout=8, code=code)
