"""A VPC built from plain aws.ec2 resources: private subnets, flow logs to S3, the default group closed, a NACL."""
import pulumi
import pulumi_aws as aws

vpc = aws.ec2.Vpc("vpc", cidr_block="10.20.0.0/16", enable_dns_hostnames=True, enable_dns_support=True)
subnets = [aws.ec2.Subnet(f"private-{az}", vpc_id=vpc.id, cidr_block=f"10.20.{i}.0/24", availability_zone=f"us-east-1{az}")
           for i, az in enumerate("ab")]
aws.ec2.DefaultSecurityGroup("default-closed", vpc_id=vpc.id, ingress=[], egress=[])
acl = aws.ec2.NetworkAcl("private-acl", vpc_id=vpc.id, subnet_ids=[s.id for s in subnets], ingress=[
    {"rule_no": 100, "action": "allow", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_block": "0.0.0.0/0"},
    {"rule_no": 110, "action": "allow", "protocol": "tcp", "from_port": 1024, "to_port": 65535, "cidr_block": "0.0.0.0/0"},
    {"rule_no": 120, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_block": "10.20.0.0/16"}],
    egress=[{"rule_no": 100, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_block": "0.0.0.0/0"}])
aws.ec2.NetworkAclRule("mqtt-from-vpc", network_acl_id=acl.id, rule_number=130, egress=False, protocol="tcp",
                       rule_action="allow", cidr_block="10.20.0.0/16", from_port=8883, to_port=8883)

flow_bucket = aws.s3.Bucket("flow-logs")
aws.s3.BucketPublicAccessBlock("flow-logs-pab", bucket=flow_bucket.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketVersioning("flow-logs-versioning", bucket=flow_bucket.id, versioning_configuration={"status": "Enabled"})
aws.s3.BucketLifecycleConfiguration("flow-logs-lifecycle", bucket=flow_bucket.id, rules=[{
    "id": "expire", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 400},
    "abort_incomplete_multipart_upload": {"days_after_initiation": 1}}])
aws.s3.BucketServerSideEncryptionConfiguration("flow-logs-sse", bucket=flow_bucket.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                "kms_master_key_id": "arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-0000-1111-2222-333344445555"}}])
aws.s3.BucketPolicy("flow-logs-policy", bucket=flow_bucket.id, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17", "Statement": [
        {"Sid": "Delivery", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": pulumi.Output.concat(flow_bucket.arn, "/*"),
         "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [flow_bucket.arn, pulumi.Output.concat(flow_bucket.arn, "/*")],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
aws.ec2.FlowLog("vpc-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination_type="s3",
                log_destination=flow_bucket.arn)
endpoint_sg = aws.ec2.SecurityGroup("endpoints", vpc_id=vpc.id, description="interface endpoints, from the VPC",
                                    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443,
                                              "cidr_blocks": ["10.20.0.0/16"], "description": "HTTPS from the VPC"}])
for service in ("sqs", "logs"):
    aws.ec2.VpcEndpoint(f"endpoint-{service}", vpc_id=vpc.id, service_name=f"com.amazonaws.us-east-1.{service}",
                        vpc_endpoint_type="Interface", subnet_ids=[s.id for s in subnets],
                        security_group_ids=[endpoint_sg.id], private_dns_enabled=True)
