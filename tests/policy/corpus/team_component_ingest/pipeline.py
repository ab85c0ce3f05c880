"""Our team's ingest building block: queue -> function -> table."""
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class IngestPipelineArgs:
    table_name: pulumi.Input[str]
    table_arn: pulumi.Input[str]
    batch_size: int = 10
    timeout: int = 30


class IngestPipeline(pulumi.ComponentResource):
    def __init__(self, name: str, args: IngestPipelineArgs, opts: pulumi.ResourceOptions = None):
        super().__init__("acme:sensors:IngestPipeline", name, {}, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.dlq = aws.sqs.Queue(f"{name}-dlq", message_retention_seconds=1209600, opts=child)
        self.queue = aws.sqs.Queue(
            f"{name}-queue",
            visibility_timeout_seconds=args.timeout * 6,
            redrive_policy=self.dlq.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})),
            opts=child,
        )

        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}],
            }),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-basic",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-access",
            role=role.id,
            policy=pulumi.Output.all(self.queue.arn, args.table_arn).apply(lambda arns: json.dumps({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Resource": arns[0],
                     "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]},
                    {"Effect": "Allow", "Resource": arns[1], "Action": ["dynamodb:PutItem"]},
                ],
            })),
            opts=child,
        )

        self.function = aws.lambda_.Function(
            f"{name}-fn",
            runtime="python3.12",
            handler="app.handler",
            role=role.arn,
            timeout=args.timeout,
            memory_size=256,
            code=pulumi.AssetArchive({"app.py": pulumi.StringAsset(
                "import json, os, boto3\n"
                "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n"
                "def handler(event, context):\n"
                "    for record in event['Records']:\n"
                "        table.put_item(Item=json.loads(record['body']))\n")}),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE": args.table_name}),
            opts=child,
        )
        aws.lambda_.EventSourceMapping(
            f"{name}-trigger",
            event_source_arn=self.queue.arn,
            function_name=self.function.arn,
            batch_size=args.batch_size,
            opts=child,
        )
        self.register_outputs({"queue_url": self.queue.url, "function": self.function.name})
