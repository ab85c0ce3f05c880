"""A team's IoT backend, written the way a team writes Pulumi: the sizes here are what
tests/policy/quotas/test_quotas.py works out by hand."""

import json

import pulumi
import pulumi_aws as aws

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
role = aws.iam.Role("lambda-role", assume_role_policy=ASSUME)


def function(name: str, **extra) -> aws.lambda_.Function:
    return aws.lambda_.Function(name, runtime="python3.12", handler="app.handler", role=role.arn,
                                code=pulumi.AssetArchive({}), memory_size=256, timeout=30, **extra)


# Ingest reserves 20 executions, 5 of them kept warm on its live alias.
ingest = function("ingest", reserved_concurrent_executions=20, publish=True)
ingest_live = aws.lambda_.Alias("ingest-live", name="live", function_name=ingest.name,
                                function_version=ingest.version)
aws.lambda_.ProvisionedConcurrencyConfig("ingest-warm", function_name=ingest.name, qualifier=ingest_live.name,
                                         provisioned_concurrent_executions=5)
# The reporter reserves nothing but keeps 3 warm; cleanup neither.
reporter = function("reporter", publish=True)
reporter_live = aws.lambda_.Alias("reporter-live", name="live", function_name=reporter.name,
                                  function_version=reporter.version)
aws.lambda_.ProvisionedConcurrencyConfig("reporter-warm", function_name=reporter.name,
                                         qualifier=reporter_live.name, provisioned_concurrent_executions=3)
function("cleanup")

# The network: three public subnets, a NAT gateway with its own address in each, two of them in zone a.
vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
for i, zone in enumerate(["us-east-1a", "us-east-1a", "us-east-1b"]):
    subnet = aws.ec2.Subnet(f"public-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24", availability_zone=zone)
    address = aws.ec2.Eip(f"nat-ip-{i}", domain="vpc")
    aws.ec2.NatGateway(f"nat-{i}", subnet_id=subnet.id, allocation_id=address.id)
# The device gateway's NLB keeps three fixed addresses.
for i in range(3):
    aws.ec2.Eip(f"gateway-ip-{i}", domain="vpc")

# Workers: up to 10 Graviton instances, 2 on demand and a quarter of the rest, the others Spot.
template = aws.ec2.LaunchTemplate("worker", image_id="ami-12345678")
aws.autoscaling.Group(
    "workers", min_size=2, max_size=10, vpc_zone_identifiers=["subnet-a"],
    mixed_instances_policy={
        "instances_distribution": {"on_demand_base_capacity": 2, "on_demand_percentage_above_base_capacity": 25,
                                   "spot_allocation_strategy": "price-capacity-optimized"},
        "launch_template": {"launch_template_specification": {"launch_template_id": template.id},
                            "overrides": [{"instance_type": "m6g.large"}, {"instance_type": "m6g.xlarge"},
                                          {"instance_type": "c6g.xlarge"}]},
    })
aws.ec2.Instance("bastion", ami="ami-12345678", instance_type="t3.micro", subnet_id="subnet-a")

# The dashboard API on Fargate: half a vCPU a task, 2 to 10 tasks, rolling deploys at 150%.
cluster = aws.ecs.Cluster("cluster")
task = aws.ecs.TaskDefinition(
    "api", family="api", cpu="512", memory="1024", network_mode="awsvpc", requires_compatibilities=["FARGATE"],
    container_definitions=json.dumps([{"name": "api", "image": "api:1", "essential": True}]))
service = aws.ecs.Service("api", cluster=cluster.arn, task_definition=task.arn, desired_count=2,
                          launch_type="FARGATE", deployment_maximum_percent=150,
                          network_configuration={"subnets": ["subnet-a"], "assign_public_ip": False})
aws.appautoscaling.Target("api-scaling", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
                          resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.name),
                          min_capacity=2, max_capacity=10)
