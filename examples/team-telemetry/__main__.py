"""A team's stack built from iot-tiers: greenhouse sensors, their own thresholds and topic.

The kind of program an internal team writes after `pip install iot-tiers`: no
copy of the tier's code, only the arguments that make it theirs.
"""

import pulumi
import pulumi_aws as aws

from iot_tiers import ProcessingTier

config = pulumi.Config()

telemetry = ProcessingTier("greenhouse", {
    "topic_filter": "greenhouse/+/readings",
    "alert_threshold_celsius": config.get_int("alertThreshold") or 35,
    "memory_mb": 512,
    "ttl_days": 365,
    "tags": {"team": "greenhouse", "cost-center": "cc-1234"},
})

# The team's read-only API role may query the table, and nothing else.
api_role = aws.iam.Role("greenhouse-api", assume_role_policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}))
telemetry.grant_read_table(api_role)

pulumi.export("table", telemetry.table.name)
pulumi.export("alerts", telemetry.topic.arn)
