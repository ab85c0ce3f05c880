import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
prefix = config.require("uploadPrefix")          # declared default in Pulumi.yaml
timeout = config.require_int("scanTimeout")      # declared default in Pulumi.yaml
memory = config.get_int("memory") or 1024        # not declared at all
alert_email = config.get("alertEmail")           # optional: who hears about bad images

uploads = aws.s3.Bucket("uploads", force_destroy=False)
aws.s3.BucketPublicAccessBlock("uploads-private", bucket=uploads.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)

role = aws.iam.Role("scanner-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicy("scanner-read", role=role.id, policy=uploads.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{arn}/*"}],
})))

scanner = aws.lambda_.Function(
    "scanner",
    role=role.arn,
    runtime="python3.12",
    handler="scan.handler",
    timeout=timeout,
    memory_size=memory,
    ephemeral_storage={"size": 4096},
    code=pulumi.AssetArchive({"scan.py": pulumi.StringAsset("def handler(event, context):\n    return 'ok'\n")}),
)
allow = aws.lambda_.Permission("uploads-invoke", action="lambda:InvokeFunction", function=scanner.arn,
                               principal="s3.amazonaws.com", source_arn=uploads.arn)
aws.s3.BucketNotification(
    "uploads-notify",
    bucket=uploads.id,
    lambda_functions=[aws.s3.BucketNotificationLambdaFunctionArgs(
        lambda_function_arn=scanner.arn, events=["s3:ObjectCreated:*"], filter_prefix=prefix)],
    opts=pulumi.ResourceOptions(depends_on=[allow]),
)

if alert_email:
    topic = aws.sns.Topic("bad-firmware")
    aws.sns.TopicSubscription("bad-firmware-mail", topic=topic.arn, protocol="email", endpoint=alert_email)

pulumi.export("bucket", uploads.bucket)
