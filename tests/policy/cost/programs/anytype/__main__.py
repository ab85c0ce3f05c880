"""One instance of ``anytype:instanceType``, as a team would write it with pulumi_aws."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws.ec2.Instance("server", instance_type=config.require("instanceType"), ami="ami-12345678",
                 root_block_device={"volume_size": 8, "volume_type": "gp3", "encrypted": True},
                 metadata_options={"http_tokens": "required"},
                 tags={"workload:connections": "none", "workload:trigger": "continuous"})
