import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("provision-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))

handler = aws.lambda_.Function(
    "provision",
    role=role.arn,
    runtime="python3.12",
    handler="api.handler",
    timeout=29,  # API Gateway gives up after 29 s anyway
    code=pulumi.AssetArchive({"api.py": pulumi.StringAsset(
        "import json\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 201, 'body': json.dumps({'ok': True})}\n")}),
)

api = aws.apigatewayv2.Api("provisioning", protocol_type="HTTP", cors_configuration={"allow_origins": ["*"]})
integration = aws.apigatewayv2.Integration(
    "provision-integration",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=handler.invoke_arn,
    payload_format_version="2.0",
)
for route_key in ("POST /devices", "GET /devices/{id}"):
    aws.apigatewayv2.Route(
        route_key.replace(" ", "").replace("/", "-").replace("{", "").replace("}", "").lower(),
        api_id=api.id,
        route_key=route_key,
        target=integration.id.apply(lambda i: f"integrations/{i}"),
    )
aws.apigatewayv2.Stage("default", api_id=api.id, name="$default", auto_deploy=True)
aws.lambda_.Permission("provision-from-api", action="lambda:InvokeFunction", function=handler.name,
                       principal="apigateway.amazonaws.com",
                       source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"))

pulumi.export("endpoint", api.api_endpoint)
