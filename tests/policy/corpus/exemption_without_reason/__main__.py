import pulumi
import pulumi_aws as aws

console = aws.ec2.Instance(
    "ops-console",
    ami="ami-0aa1bb2cc3dd4ee5f",
    instance_type="t3.medium",
    tags={
        "workload:connections": "persistent",
        "workload:trigger": "continuous",
        "workload:exemption": "",  # TODO: write down why
    },
)
