import pulumi
import pulumi_aws as aws

config = pulumi.Config()
node_count = config.get_int("nodes") or 3

template = aws.ec2.LaunchTemplate(
    "emqx",
    image_id="ami-0abcdef1234567890",
    instance_type="m6g.xlarge",
    block_device_mappings=[
        {"device_name": "/dev/xvda", "ebs": {"volume_size": 20}},
        # message store and retained messages survive an instance replacement
        {"device_name": "/dev/xvdf", "ebs": {"volume_size": 200, "volume_type": "gp3",
                                             "delete_on_termination": "false", "encrypted": "true"}},
    ],
)
aws.autoscaling.Group(
    "emqx",
    min_size=node_count,
    max_size=node_count,
    vpc_zone_identifiers=["subnet-1", "subnet-2", "subnet-3"],
    launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    tags=[
        {"key": "workload:connections", "value": "persistent", "propagate_at_launch": True},
        {"key": "workload:trigger", "value": "continuous", "propagate_at_launch": True},
    ],
)
