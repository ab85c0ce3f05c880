"""Violation: an EC2 instance with no workload profile and nothing to infer one from."""
import pulumi_aws as aws

aws.ec2.Instance(
    "mystery", ami="ami-0123456789abcdef0", instance_type="t3.micro",
    iam_instance_profile="app-instance-profile", monitoring=True,
    metadata_options={"http_tokens": "required"}, root_block_device={"encrypted": True})
