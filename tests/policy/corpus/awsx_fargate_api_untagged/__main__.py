import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

cluster = aws.ecs.Cluster("registry")
lb = awsx.lb.ApplicationLoadBalancer("registry-lb")

api = awsx.ecs.FargateService(
    "registry-api",
    cluster=cluster.arn,
    assign_public_ip=True,
    task_definition_args=awsx.ecs.FargateServiceTaskDefinitionArgs(
        container=awsx.ecs.TaskDefinitionContainerDefinitionArgs(
            name="api",
            image="ghcr.io/acme/device-registry:2.4.1",
            cpu=256,
            memory=512,
            essential=True,
            port_mappings=[awsx.ecs.TaskDefinitionPortMappingArgs(
                container_port=8000,
                target_group=lb.default_target_group,
            )],
        ),
    ),
)

pulumi.export("endpoint", pulumi.Output.concat("http://", lb.load_balancer.dns_name))
