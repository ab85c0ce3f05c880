"""Misplaced: an EC2 instance serving WebSockets (persistent connections: the rule puts it on Fargate)."""
import pulumi_aws as aws

aws.ec2.Instance(
    "ws-server", ami="ami-0123456789abcdef0", instance_type="t3.small",
    iam_instance_profile="app-instance-profile", monitoring=True,
    metadata_options={"http_tokens": "required"}, root_block_device={"encrypted": True},
    tags={"workload:connections": "persistent", "workload:trigger": "continuous"})
