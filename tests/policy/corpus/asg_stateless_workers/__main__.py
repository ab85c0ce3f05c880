import pulumi
import pulumi_aws as aws

ubuntu = aws.ec2.get_ami(
    most_recent=True,
    owners=["099720109477"],
    filters=[{"name": "name", "values": ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]}],
)

profile = {"workload:connections": "none", "workload:trigger": "continuous"}

lt = aws.ec2.LaunchTemplate(
    "rules-engine",
    name_prefix="rules-engine-",
    image_id=ubuntu.id,
    instance_type="t3.large",
    block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
        device_name="/dev/sda1",
        ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(volume_size=100, volume_type="gp3", encrypted="true"),
    )],
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
    tag_specifications=[{"resource_type": "instance", "tags": profile}],
)

aws.autoscaling.Group(
    "rules-engine",
    desired_capacity=2,
    min_size=2,
    max_size=6,
    vpc_zone_identifiers=["subnet-0a0a0a0a0a0a0a0a0", "subnet-0b0b0b0b0b0b0b0b0"],
    launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=lt.id, version="$Latest"),
    health_check_type="EC2",
    tags=[aws.autoscaling.GroupTagArgs(key=k, value=v, propagate_at_launch=True) for k, v in profile.items()],
)
