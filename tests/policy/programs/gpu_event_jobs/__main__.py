"""Allowed: a GPU instance doing one-minute event jobs. Short event work would go to
Lambda, but needing a GPU comes first (step 0): EC2."""
import pulumi_aws as aws

aws.ec2.Instance(
    "gpu-worker", ami="ami-0123456789abcdef0", instance_type="g5.xlarge",
    iam_instance_profile="app-instance-profile", monitoring=True,
    metadata_options={"http_tokens": "required"}, root_block_device={"encrypted": True, "volume_size": 20},
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "60"})
