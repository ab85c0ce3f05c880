import json

import pulumi
import pulumi_aws as aws

from components.naming import resource_name
from policies import tags_for
from iot_tiers import ProcessingTier

site = pulumi.Config().require("site")
tags = tags_for(site)

telemetry = ProcessingTier(resource_name(site, "telemetry"), {
    "topic_filter": f"{site}/+/telemetry",
    "tags": tags,
})

role = aws.iam.Role(resource_name(site, "export-role"), assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}), tags=tags)
telemetry.grant_read_table(role)

logs = aws.cloudwatch.LogGroup(resource_name(site, "export-logs"), retention_in_days=30, tags=tags)

export = aws.lambda_.Function(
    resource_name(site, "export"),
    runtime="python3.12",
    handler="runtime.export.handler",
    code=pulumi.AssetArchive({"runtime": pulumi.FileArchive("./runtime")}),
    role=role.arn,
    timeout=300,
    reserved_concurrent_executions=1,
    logging_config={"log_format": "JSON", "log_group": logs.name},
    environment={"variables": {"TABLE_NAME": telemetry.table.name}},
    tags={**tags, "workload:connections": "none", "workload:trigger": "event",
          "workload:max-duration": "300"},
)

pulumi.export("table", telemetry.table.name)
pulumi.export("export_function", export.name)
