import json

import pulumi
import pulumi_aws as aws

alerts = aws.sns.Topic("device-alerts", kms_master_key_id="alias/aws/sns")

lambda_trust = aws.iam.get_policy_document(statements=[{
    "actions": ["sts:AssumeRole"],
    "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
}])


def subscriber(name: str, handler_source: str, timeout: int = 15) -> aws.lambda_.Function:
    role = aws.iam.Role(f"{name}-role", assume_role_policy=lambda_trust.json)
    fn = aws.lambda_.Function(
        name, role=role.arn, runtime="python3.12", handler="main.handler", timeout=timeout,
        code=pulumi.AssetArchive({"main.py": pulumi.StringAsset(handler_source)}),
        dead_letter_config={"target_arn": alerts.arn},
    )
    aws.lambda_.Permission(f"{name}-from-sns", action="lambda:InvokeFunction", function=fn.name,
                           principal="sns.amazonaws.com", source_arn=alerts.arn)
    aws.sns.TopicSubscription(f"{name}-sub", topic=alerts.arn, protocol="lambda", endpoint=fn.arn)
    return fn


pager = subscriber("pager", "def handler(e, c):\n    print('page on-call')\n")
ticketing = subscriber("ticketing", "def handler(e, c):\n    print('open ticket')\n", timeout=60)
