import pulumi
import pulumi_aws as aws

broker = aws.ec2.Instance(
    "mosquitto",
    ami="ami-0fedcba9876543210",
    instance_type="t4g.medium",
    root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
        volume_size=50,
        delete_on_termination=False,  # persistence database lives on the root disk
    ),
    user_data="#!/bin/bash\napt-get install -y mosquitto\n",
    tags={"workload:connections": "persistent", "workload:trigger": "continuous"},
)
