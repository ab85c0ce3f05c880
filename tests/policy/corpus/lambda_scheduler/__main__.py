import json

import pulumi
import pulumi_aws as aws

exec_role = aws.iam.Role("report-exec", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
report = aws.lambda_.Function(
    "daily-usage-report",
    role=exec_role.arn,
    runtime="python3.12",
    handler="report.run",
    timeout=600,
    memory_size=2048,
    code=pulumi.AssetArchive({"report.py": pulumi.StringAsset("def run(event, context):\n    return None\n")}),
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "600"},
)

scheduler_role = aws.iam.Role("report-scheduler", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicy("report-scheduler-invoke", role=scheduler_role.id, policy=report.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": arn}],
})))

aws.scheduler.Schedule(
    "daily-usage",
    schedule_expression="cron(30 5 * * ? *)",
    schedule_expression_timezone="Europe/Berlin",
    flexible_time_window={"mode": "FLEXIBLE", "maximum_window_in_minutes": 15},
    target={"arn": report.arn, "role_arn": scheduler_role.arn, "retry_policy": {"maximum_retry_attempts": 1}},
)
