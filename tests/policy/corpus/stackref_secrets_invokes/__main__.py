import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
private_subnets = network.require_output("private_subnet_ids")
vpc_id = network.get_output("vpc_id")

webhook_token = config.get_secret("webhookToken") or pulumi.Output.secret("change-me")

identity = aws.get_caller_identity()
region = aws.get_region()
amzn = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                       filters=[{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}])
azs = aws.get_availability_zones(state="available")

sg = aws.ec2.SecurityGroup("consumer", vpc_id=vpc_id, egress=[
    {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])

alerts = aws.sqs.Queue("alerts", fifo_queue=True, content_based_deduplication=True)
role = aws.iam.Role("consumer-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
                         "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"])

consumer = aws.lambda_.Function(
    "alert-consumer",
    role=role.arn,
    runtime="python3.12",
    handler="consume.handler",
    timeout=20,
    code=pulumi.AssetArchive({"consume.py": pulumi.StringAsset("def handler(e, c):\n    return None\n")}),
    vpc_config={"subnet_ids": private_subnets, "security_group_ids": [sg.id]},
    environment={"variables": {
        "WEBHOOK_TOKEN": webhook_token,
        "ACCOUNT": identity.account_id,
        "REGION": region.name,
    }},
)
aws.lambda_.EventSourceMapping("alerts-to-consumer", event_source_arn=alerts.arn, function_name=consumer.arn,
                               batch_size=1)

relay = aws.ec2.Instance(
    "pager-relay",
    ami=amzn.id,
    instance_type="t3.micro",
    availability_zone=azs.names[0],
    subnet_id=private_subnets.apply(lambda ids: ids[0]),
    vpc_security_group_ids=[sg.id],
    tags={"workload:connections": "none", "workload:trigger": "continuous"},
)

pulumi.export("account", identity.account_id)
pulumi.export("token_length", webhook_token.apply(len))
