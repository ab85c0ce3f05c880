"""A Fargate service behind an internet-facing HTTPS ALB, as a ComponentResource class (the CDK-ish style)."""
import json

import pulumi
import pulumi_aws as aws

VPC, PRIVATE, PUBLIC = "vpc-0123456789abcdef0", ["subnet-0a1", "subnet-0b2"], ["subnet-0c3", "subnet-0d4"]
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f9e8d7c-1111-2222-3333-444455556666"


def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


class DashboardBridge(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("examples:index:DashboardBridge", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        logs = aws.cloudwatch.LogGroup(f"{name}-logs", name=f"/ecs/{name}", retention_in_days=400,
                                       kms_key_id="arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-0000-1111-2222-333344445555",
                                       opts=child)
        secret = aws.secretsmanager.Secret(f"{name}-jwt", kms_key_id="alias/bridge-secrets", opts=child)
        aws.secretsmanager.SecretRotation(f"{name}-jwt-rotation", secret_id=secret.id,
                                          rotation_lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:rotate-jwt",
                                          rotation_rules={"automatically_after_days": 30}, opts=child)
        execution = aws.iam.Role(f"{name}-execution", assume_role_policy=trust("ecs-tasks.amazonaws.com"), opts=child)
        aws.iam.RolePolicy(f"{name}-execution-policy", role=execution.id, opts=child,
                           policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
                               {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": pulumi.Output.concat(logs.arn, ":*")},
                               {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret.arn}]}))
        task_role = aws.iam.Role(f"{name}-task", assume_role_policy=trust("ecs-tasks.amazonaws.com"), opts=child)
        aws.iam.RolePolicy(f"{name}-task-policy", role=task_role.id, opts=child, policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iot:Connect", "iot:Subscribe", "iot:Receive"],
                                                    "Resource": "arn:aws:iot:us-east-1:123456789012:client/bridge-*"}]}))
        cluster = aws.ecs.Cluster(f"{name}-cluster", settings=[{"name": "containerInsights", "value": "enabled"}], opts=child)
        task = aws.ecs.TaskDefinition(
            f"{name}-task-def", family=name, cpu="256", memory="512", network_mode="awsvpc",
            requires_compatibilities=["FARGATE"], execution_role_arn=execution.arn, task_role_arn=task_role.arn,
            container_definitions=pulumi.Output.json_dumps([{
                "name": "bridge", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/bridge@sha256:" + "a" * 64,
                "essential": True, "readonlyRootFilesystem": True, "user": "1000",
                "portMappings": [{"containerPort": 8443, "protocol": "tcp"}],
                "environment": [{"name": "MQTT_BROKER_URL", "value": "mqtts://a1b2c3-ats.iot.us-east-1.amazonaws.com:8883"},
                                {"name": "PORT", "value": "8443"}],
                "secrets": [{"name": "BRIDGE_JWT_SECRET", "valueFrom": secret.arn}],
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": logs.name, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "bridge"}}}]),
            tags={"workload:connections": "persistent", "workload:trigger": "continuous"}, opts=child)
        alb_sg = aws.ec2.SecurityGroup(f"{name}-alb-sg", vpc_id=VPC, description="dashboards to the bridge ALB",
                                       opts=child)
        tasks_sg = aws.ec2.SecurityGroup(f"{name}-tasks-sg", vpc_id=VPC, description="bridge tasks", opts=child)
        aws.vpc.SecurityGroupIngressRule(f"{name}-alb-https", security_group_id=alb_sg.id, cidr_ipv4="0.0.0.0/0",
                                         ip_protocol="tcp", from_port=443, to_port=443, description="dashboards", opts=child)
        aws.vpc.SecurityGroupEgressRule(f"{name}-alb-to-tasks", security_group_id=alb_sg.id,
                                        referenced_security_group_id=tasks_sg.id, ip_protocol="tcp", from_port=8443,
                                        to_port=8443, description="to the bridge tasks", opts=child)
        aws.vpc.SecurityGroupIngressRule(f"{name}-tasks-from-alb", security_group_id=tasks_sg.id,
                                         referenced_security_group_id=alb_sg.id, ip_protocol="tcp", from_port=8443,
                                         to_port=8443, description="from the ALB only", opts=child)
        aws.vpc.SecurityGroupEgressRule(f"{name}-tasks-out", security_group_id=tasks_sg.id, cidr_ipv4="0.0.0.0/0",
                                        ip_protocol="tcp", from_port=443, to_port=443,
                                        description="AWS APIs, ECR and IoT Core over TLS", opts=child)
        log_bucket = aws.s3.Bucket(f"{name}-alb-logs", opts=child)
        aws.s3.BucketPublicAccessBlock(f"{name}-alb-logs-pab", bucket=log_bucket.id, block_public_acls=True,
                                       block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
                                       opts=child)
        aws.s3.BucketVersioning(f"{name}-alb-logs-versioning", bucket=log_bucket.id,
                                versioning_configuration={"status": "Enabled"}, opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-alb-logs-sse", bucket=log_bucket.id, opts=child, rules=[
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
        aws.s3.BucketLifecycleConfiguration(f"{name}-alb-logs-lifecycle", bucket=log_bucket.id, opts=child, rules=[{
            "id": "expire", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 400},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 1}}])
        aws.s3.BucketPolicy(f"{name}-alb-logs-policy", bucket=log_bucket.id, opts=child,
                            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
                                {"Sid": "ElbDelivers", "Effect": "Allow",
                                 "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                                 "Action": "s3:PutObject", "Resource": pulumi.Output.concat(log_bucket.arn, "/*")},
                                {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                 "Resource": [log_bucket.arn, pulumi.Output.concat(log_bucket.arn, "/*")],
                                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
        alb = aws.lb.LoadBalancer(f"{name}-alb", load_balancer_type="application", internal=False, subnets=PUBLIC,
                                  security_groups=[alb_sg.id], drop_invalid_header_fields=True,
                                  enable_deletion_protection=True, desync_mitigation_mode="strictest",
                                  access_logs={"bucket": log_bucket.bucket, "enabled": True}, opts=child)
        acl = aws.wafv2.WebAcl(f"{name}-waf", scope="REGIONAL", default_action={"allow": {}},
                               visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": name,
                                                  "sampled_requests_enabled": True},
                               rules=[{"name": "common", "priority": 1, "override_action": {"none": {}},
                                       "statement": {"managed_rule_group_statement": {
                                           "name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}},
                                       "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "common",
                                                             "sampled_requests_enabled": True}}], opts=child)
        aws.wafv2.WebAclAssociation(f"{name}-waf-association", resource_arn=alb.arn, web_acl_arn=acl.arn, opts=child)
        target_group = aws.lb.TargetGroup(f"{name}-targets", port=8443, protocol="HTTPS", target_type="ip", vpc_id=VPC,
                                          health_check={"path": "/health", "protocol": "HTTPS"}, opts=child)
        aws.lb.Listener(f"{name}-https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS",
                        ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", certificate_arn=CERT,
                        default_actions=[{"type": "forward", "target_group_arn": target_group.arn}], opts=child)
        aws.lb.Listener(f"{name}-http", load_balancer_arn=alb.arn, port=80, protocol="HTTP", opts=child,
                        default_actions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443",
                                                                           "status_code": "HTTP_301"}}])
        aws.ecs.Service(f"{name}-service", cluster=cluster.arn, task_definition=task.arn, desired_count=2,
                        launch_type="FARGATE", platform_version="LATEST",
                        network_configuration={"subnets": PRIVATE, "security_groups": [tasks_sg.id],
                                               "assign_public_ip": False},
                        load_balancers=[{"target_group_arn": target_group.arn, "container_name": "bridge",
                                         "container_port": 8443}],
                        tags={"workload:connections": "persistent", "workload:trigger": "continuous"}, opts=child)
        self.register_outputs({})


DashboardBridge("bridge")
