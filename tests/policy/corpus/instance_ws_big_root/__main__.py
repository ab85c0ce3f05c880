import pulumi
import pulumi_aws as aws

sg = aws.ec2.SecurityGroup("ws-gateway", description="WebSocket gateway", ingress=[
    {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}])

gateway = aws.ec2.Instance(
    "ws-gateway",
    ami="ami-0c55b159cbfafe1f0",
    instance_type="c6i.xlarge",
    vpc_security_group_ids=[sg.id],
    root_block_device={"volume_size": 500, "volume_type": "gp3"},  # lots of log space
    metadata_options={"http_tokens": "required"},
    tags={"Name": "ws-gateway", "workload:connections": "persistent", "workload:trigger": "continuous"},
)
pulumi.export("ip", gateway.public_ip)
