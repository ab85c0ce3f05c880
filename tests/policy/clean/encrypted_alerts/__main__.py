"""Alerts: a KMS-encrypted SNS topic CloudWatch alarms publish to, fanned out to an SQS queue with a scoped policy."""
import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "123456789012"
key = aws.kms.Key("alerts-key", enable_key_rotation=True, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Alarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"},
    {"Sid": "Sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]}))
topic = aws.sns.Topic("alerts", kms_master_key_id=key.id)
aws.sns.TopicPolicy("alerts-policy", arn=topic.arn, policy=topic.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Sid": "Alarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": "sns:Publish", "Resource": arn, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
        {"Sid": "OpsAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
         "Action": "sns:Subscribe", "Resource": arn,
         "Condition": {"StringEquals": {"sns:Protocol": "sqs"}}}]})))
queue = aws.sqs.Queue("alert-inbox", kms_master_key_id=key.id, message_retention_seconds=1209600)
aws.sqs.QueuePolicy("alert-inbox-policy", queue_url=queue.url, policy=pulumi.Output.all(queue.arn, topic.arn).apply(
    lambda arns: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arns[0], "Condition": {"ArnEquals": {"aws:SourceArn": arns[1]}}}]})))
aws.sns.TopicSubscription("alerts-to-inbox", topic=topic.arn, protocol="sqs", endpoint=queue.arn)
aws.cloudwatch.MetricAlarm("rejects-high", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                           metric_name="ApproximateNumberOfMessagesVisible", namespace="AWS/SQS", period=300,
                           statistic="Maximum", threshold=100, alarm_actions=[topic.arn],
                           dimensions={"QueueName": queue.name})
