import json

import pulumi
import pulumi_aws as aws

SUBNETS = ["subnet-0a", "subnet-0b"]

batch_role = aws.iam.Role("batch-service", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "batch.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
env = aws.batch.ComputeEnvironment(
    "nightly-analytics",
    type="MANAGED",
    service_role=batch_role.arn,
    compute_resources={"type": "FARGATE", "max_vcpus": 64, "subnets": SUBNETS, "security_group_ids": ["sg-0abc"]},
)
queue = aws.batch.JobQueue("nightly-analytics", state="ENABLED", priority=1,
                           compute_environment_orders=[{"order": 1, "compute_environment": env.arn}])
aws.batch.JobDefinition(
    "aggregate-readings",
    type="container",
    platform_capabilities=["FARGATE"],
    container_properties=json.dumps({
        "image": "ghcr.io/acme/aggregate:4",
        "resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "4096"}],
        "executionRoleArn": "arn:aws:iam::123456789012:role/batch-exec",
    }),
)

cluster_role = aws.iam.Role("eks-cluster", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
cluster = aws.eks.Cluster("analytics", role_arn=cluster_role.arn, vpc_config={"subnet_ids": SUBNETS})
node_role = aws.iam.Role("eks-nodes", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.eks.NodeGroup("analytics-nodes", cluster_name=cluster.name, node_role_arn=node_role.arn, subnet_ids=SUBNETS,
                  instance_types=["m6i.xlarge"], scaling_config={"desired_size": 2, "min_size": 1, "max_size": 4})

approval = aws.sfn.Activity("manual-approval")
