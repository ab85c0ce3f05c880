import pulumi
import pulumi_aws as aws

cache = aws.ec2.Instance(
    "tile-cache",
    ami="ami-0a1b2c3d4e5f60718",
    instance_type="i4i.xlarge",
    ephemeral_block_devices=[{"device_name": "/dev/sdb", "virtual_name": "ephemeral0"}],
    user_data="#!/bin/bash\nmkfs.xfs /dev/nvme1n1 && mount /dev/nvme1n1 /var/cache/tiles\n",
    # map viewers keep a WebSocket open for live tile updates
    tags={"workload:connections": "persistent", "workload:trigger": "continuous"},
)
