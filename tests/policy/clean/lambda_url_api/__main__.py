"""A small HTTP API on a Lambda function URL (IAM auth, CORS for the dashboard) and an API Gateway route, via Config."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
origin = config.get("dashboardOrigin") or "https://dashboard.example.com"

role = aws.iam.Role("api-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicyAttachment("api-basic", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
aws.iam.RolePolicyAttachment("api-xray", role=role.name, policy_arn="arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")
fn = aws.lambda_.Function(
    "api", runtime="nodejs22.x", handler="index.handler", role=role.arn, timeout=10, memory_size=256,
    architectures=["arm64"], reserved_concurrent_executions=50, tracing_config={"mode": "Active"},
    code=pulumi.AssetArchive({"index.js": pulumi.StringAsset("exports.handler = async () => ({statusCode: 200});\n")}),
    environment={"variables": {"ALLOWED_ORIGIN": origin, "JWKS_URL": "https://auth.example.com/.well-known/jwks.json",
                               "SESSION_TOKEN_TTL": "900", "NODE_OPTIONS": "--enable-source-maps"}},
    tags={"workload:connections": "none", "workload:trigger": "event", "workload:max-duration": "10"})
aws.cloudwatch.LogGroup("api-logs", name=fn.name.apply(lambda n: f"/aws/lambda/{n}"), retention_in_days=400,
                        kms_key_id="arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-0000-1111-2222-333344445555")
aws.lambda_.FunctionUrl("api-url", function_name=fn.name, authorization_type="AWS_IAM",
                        cors={"allow_origins": [origin], "allow_methods": ["GET", "POST"], "allow_headers": ["authorization"],
                              "max_age": 300})
http = aws.apigatewayv2.Api("http-api", protocol_type="HTTP")
integration = aws.apigatewayv2.Integration("api-integration", api_id=http.id, integration_type="AWS_PROXY",
                                           integration_uri=fn.invoke_arn, payload_format_version="2.0")
aws.apigatewayv2.Route("api-route", api_id=http.id, route_key="GET /readings", authorization_type="AWS_IAM",
                       target=integration.id.apply(lambda i: f"integrations/{i}"))
aws.lambda_.Permission("api-invoke", action="lambda:InvokeFunction", function=fn.name,
                       principal="apigateway.amazonaws.com", source_arn=http.execution_arn.apply(lambda a: f"{a}/*/*"))
