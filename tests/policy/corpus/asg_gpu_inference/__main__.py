import pulumi
import pulumi_aws as aws

gpu_lt = aws.ec2.LaunchTemplate(
    "vision",
    image_id="ami-0dlami00000000001",
    instance_type="g5.xlarge",
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "120"},
)
aws.autoscaling.Group(
    "vision",
    min_size=0,
    max_size=4,
    vpc_zone_identifiers=["subnet-aa", "subnet-bb"],
    launch_template={"id": gpu_lt.id},
)
