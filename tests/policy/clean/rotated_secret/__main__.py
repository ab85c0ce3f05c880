"""A database credential in Secrets Manager, encrypted with its own key and rotated by a function every 30 days."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
rotation_days = config.get_int("rotationDays") or 30

key = aws.kms.Key("secrets-key", description="application secrets", enable_key_rotation=True,
                  policy=json.dumps({"Version": "2012-10-17", "Statement": [
                      {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                       "Action": "kms:*", "Resource": "*"},
                      {"Sid": "SecretsManager", "Effect": "Allow", "Principal": {"AWS": "*"},
                       "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                       "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
                                                      "kms:CallerAccount": "123456789012"}}}]}))
secret = aws.secretsmanager.Secret("db-credentials", kms_key_id=key.arn, description="telemetry DB user")

role = aws.iam.Role("rotator-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
logs = aws.cloudwatch.LogGroup("rotator-logs", name="/aws/lambda/db-rotator", retention_in_days=400, kms_key_id=key.arn)
aws.iam.RolePolicy("rotator-policy", role=role.id, policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
                                   "secretsmanager:DescribeSecret", "secretsmanager:UpdateSecretVersionStage"],
     "Resource": secret.arn},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn},
    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": pulumi.Output.concat(logs.arn, ":*")}]}))
dlq = aws.sqs.Queue("rotator-dlq", kms_master_key_id=key.arn)
rotator = aws.lambda_.Function(
    "db-rotator", name="db-rotator", runtime="python3.12", handler="rotate.handler", role=role.arn, timeout=60,
    reserved_concurrent_executions=1, tracing_config={"mode": "Active"}, dead_letter_config={"target_arn": dlq.arn},
    code=pulumi.AssetArchive({"rotate.py": pulumi.StringAsset("def handler(event, context):\n    pass\n")}),
    environment={"variables": {"SECRETS_MANAGER_ENDPOINT": "https://secretsmanager.us-east-1.amazonaws.com",
                               "PASSWORD_LENGTH": "32", "EXCLUDE_CHARACTERS": "/@\"'\\\\"}},
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "60"})
permission = aws.lambda_.Permission("rotator-invoke", action="lambda:InvokeFunction", function=rotator.name,
                                    principal="secretsmanager.amazonaws.com", source_arn=secret.arn)
aws.secretsmanager.SecretRotation("db-credentials-rotation", secret_id=secret.id, rotation_lambda_arn=rotator.arn,
                                  rotation_rules={"automatically_after_days": rotation_days},
                                  opts=pulumi.ResourceOptions(depends_on=[permission]))
