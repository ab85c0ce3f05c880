"""Device identities for a fleet: thing policy scoped to each device, certificates attached, a rule that keeps errors."""
import json

import pulumi
import pulumi_aws as aws

region, account = "us-east-1", "123456789012"
prefix = f"arn:aws:iot:{region}:{account}"
THING = "${iot:Connection.Thing.ThingName}"

device_policy = aws.iot.Policy("device-policy", policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{prefix}:client/{THING}",
     "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}}},
    {"Effect": "Allow", "Action": "iot:Publish", "Resource": [f"{prefix}:topic/devices/{THING}/telemetry",
                                                             f"{prefix}:topic/devices/{THING}/status"]},
    {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{prefix}:topicfilter/devices/{THING}/commands"},
    {"Effect": "Allow", "Action": "iot:Receive", "Resource": f"{prefix}:topic/devices/{THING}/commands"}]}))

for n in range(3):
    thing = aws.iot.Thing(f"sensor-{n}", attributes={"model": "th-2"})
    cert = aws.iot.Certificate(f"sensor-{n}-cert", active=True, csr=f"-----BEGIN CERTIFICATE REQUEST-----\nsensor{n}\n-----END CERTIFICATE REQUEST-----")
    aws.iot.PolicyAttachment(f"sensor-{n}-policy", policy=device_policy.name, target=cert.arn)
    aws.iot.ThingPrincipalAttachment(f"sensor-{n}-principal", thing=thing.name, principal=cert.arn)

errors = aws.cloudwatch.LogGroup("rule-errors", retention_in_days=400,
                                 kms_key_id=f"arn:aws:kms:{region}:{account}:key/1a2b3c4d-0000-1111-2222-333344445555")
archive = aws.sqs.Queue("status", sqs_managed_sse_enabled=False,
                        kms_master_key_id=f"arn:aws:kms:{region}:{account}:key/1a2b3c4d-0000-1111-2222-333344445555")
rule_role = aws.iam.Role("status-rule-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "iot.amazonaws.com"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}))
aws.iam.RolePolicy("status-rule-policy", role=rule_role.id, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": archive.arn},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": pulumi.Output.concat(errors.arn, ":*")}]}))
aws.iot.TopicRule("status", name="device_status", enabled=True, sql="SELECT * FROM 'devices/+/status'",
                  sql_version="2016-03-23",
                  sqs=[{"queue_url": archive.url, "role_arn": rule_role.arn, "use_base64": False}],
                  error_action={"cloudwatch_logs": {"log_group_name": errors.name, "role_arn": rule_role.arn}})
