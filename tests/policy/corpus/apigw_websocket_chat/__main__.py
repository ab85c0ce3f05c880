import json

import pulumi
import pulumi_aws as aws

connections = aws.dynamodb.Table("connections", billing_mode="PAY_PER_REQUEST", hash_key="connectionId",
                                 attributes=[{"name": "connectionId", "type": "S"}])

role = aws.iam.Role("chat-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))

chat = aws.lambda_.Function(
    "chat-handler",
    role=role.arn,
    runtime="nodejs20.x",
    handler="chat.handler",
    timeout=10,
    code=pulumi.FileArchive("./handler"),
    environment={"variables": {"CONNECTIONS_TABLE": connections.name}},
)

ws = aws.apigatewayv2.Api("chat", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
integration = aws.apigatewayv2.Integration("chat-lambda", api_id=ws.id, integration_type="AWS_PROXY",
                                           integration_uri=chat.invoke_arn)
for key in ["$connect", "$disconnect", "$default", "sendmessage"]:
    aws.apigatewayv2.Route(f"route-{key.strip('$')}", api_id=ws.id, route_key=key,
                           target=pulumi.Output.concat("integrations/", integration.id))
aws.apigatewayv2.Stage("live", api_id=ws.id, name="live", auto_deploy=True)
aws.lambda_.Permission("chat-from-ws", action="lambda:InvokeFunction", function=chat.name,
                       principal="apigateway.amazonaws.com", source_arn=pulumi.Output.concat(ws.execution_arn, "/*"))
