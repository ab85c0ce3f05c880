"""Every function gets the platform team's profile tags from one stack transform;
one function has its own transform that raises its timeout."""
import json

import pulumi
import pulumi_aws as aws


def platform_defaults(args: pulumi.ResourceTransformArgs):
    if args.type_ != "aws:lambda/function:Function":
        return None
    tags = {**(args.props.get("tags") or {}),
            "workload:connections": "none", "workload:trigger": "event", "cost-center": "reports"}
    return pulumi.ResourceTransformResult(props={**args.props, "tags": tags}, opts=args.opts)


pulumi.runtime.register_resource_transform(platform_defaults)


def long_running(args: pulumi.ResourceTransformArgs):
    # the export got slower every quarter; give it 20 minutes
    return pulumi.ResourceTransformResult(props={**args.props, "timeout": 1200}, opts=args.opts)


role = aws.iam.Role("reports-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
code = pulumi.AssetArchive({"r.py": pulumi.StringAsset("def handler(e, c):\n    return None\n")})

summary = aws.lambda_.Function("weekly-summary", role=role.arn, runtime="python3.12", handler="r.handler",
                               timeout=120, code=code)
export = aws.lambda_.Function("quarterly-export", role=role.arn, runtime="python3.12", handler="r.handler",
                              timeout=600, code=code,
                              opts=pulumi.ResourceOptions(transforms=[long_running]))
