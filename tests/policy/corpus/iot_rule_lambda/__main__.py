import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("overheat-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
detector = aws.lambda_.Function(
    "overheat",
    role=role.arn,
    runtime="python3.12",
    handler="detect.handler",
    timeout=5,
    code=pulumi.AssetArchive({"detect.py": pulumi.StringAsset("def handler(event, context):\n    return event\n")}),
)

rule = aws.iot.TopicRule(
    "overheat",
    enabled=True,
    sql="SELECT * FROM 'factory/+/temperature' WHERE value > 90",
    sql_version="2016-03-23",
    lambdas=[{"function_arn": detector.arn}],
)
aws.lambda_.Permission("overheat-from-iot", action="lambda:InvokeFunction", function=detector.name,
                       principal="iot.amazonaws.com", source_arn=rule.arn)
