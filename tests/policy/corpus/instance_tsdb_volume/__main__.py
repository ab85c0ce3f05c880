import pulumi
import pulumi_aws as aws

zone = "us-east-1a"

db = aws.ec2.Instance(
    "influxdb",
    ami="ami-0123456789abcdef0",
    instance_type="r6i.large",
    availability_zone=zone,
    tags={"workload:connections": "none", "workload:trigger": "continuous"},
)
data = aws.ebs.Volume("influxdb-data", availability_zone=zone, size=1000, type="gp3", encrypted=True,
                      tags={"Name": "influxdb-data"})
aws.ec2.VolumeAttachment("influxdb-data", device_name="/dev/sdf", volume_id=data.id, instance_id=db.id)
