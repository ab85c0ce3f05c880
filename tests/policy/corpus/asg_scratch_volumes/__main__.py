import pulumi
import pulumi_aws as aws

PERSISTENT = {"workload:connections": "persistent", "workload:trigger": "continuous"}


def gateway_fleet(name: str, instance_type: str, scratch_gb: int):
    lt = aws.ec2.LaunchTemplate(
        name,
        image_id="ami-0123abcd4567ef890",
        instance_type=instance_type,
        block_device_mappings=[
            {"device_name": "/dev/xvda", "ebs": {"volume_size": 16}},
            # spool for device uploads; rebuilt from the devices after a replacement
            {"device_name": "/dev/xvdb", "ebs": {"volume_size": scratch_gb, "delete_on_termination": "true"}},
        ],
        tag_specifications=[{"resource_type": "instance", "tags": PERSISTENT}],
    )
    return aws.autoscaling.Group(name, min_size=2, max_size=8, vpc_zone_identifiers=["subnet-a", "subnet-b"],
                                 launch_template={"id": lt.id, "version": "$Latest"})


gateway_fleet("upload-gateway", "m6i.large", 500)
gateway_fleet("command-gateway", "c6i.large", 100)
