"""Misplaced: a Lambda function behind an API Gateway WEBSOCKET API (it holds persistent
connections, so the rule puts it on Fargate), and it even declares connections=none."""
import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("fn-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
fn = aws.lambda_.Function(
    "ws-handler", runtime="python3.12", handler="index.handler", role=role.arn, timeout=10,
    reserved_concurrent_executions=5,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context):\n    return {}\n")}),
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "10"})
aws.cloudwatch.LogGroup("ws-logs", name=fn.name.apply(lambda n: f"/aws/lambda/{n}"), retention_in_days=7)
api = aws.apigatewayv2.Api("ws-api", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
integration = aws.apigatewayv2.Integration("ws-integration", api_id=api.id, integration_type="AWS_PROXY",
                                           integration_uri=fn.invoke_arn)
aws.apigatewayv2.Route("ws-connect", api_id=api.id, route_key="$connect",
                       target=integration.id.apply(lambda i: f"integrations/{i}"))
aws.lambda_.Permission("ws-invoke", action="lambda:InvokeFunction", function=fn.name,
                       principal="apigateway.amazonaws.com", source_arn=api.execution_arn.apply(lambda a: f"{a}/*"))
