import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("sync-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))

# Re-invokes itself forever to keep the ERP mirror in sync; moving to EC2 is on the roadmap.
sync = aws.lambda_.Function(
    "erp-sync",
    role=role.arn,
    runtime="python3.12",
    handler="sync.handle",
    timeout=900,
    memory_size=1024,
    code=pulumi.FileArchive("./sync"),
    tags={
        "workload:connections": "none",
        "workload:trigger": "continuous",
        "workload:exemption": "ERP mirror stays on Lambda until the Q4 EC2 migration (PLAT-311)",
    },
)
