import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

vpc = awsx.ec2.Vpc(
    "dashboard-vpc",
    cidr_block="10.20.0.0/16",
    number_of_availability_zones=2,
    nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.SINGLE),
)

alb = awsx.lb.ApplicationLoadBalancer(
    "dashboard-lb",
    subnet_ids=vpc.public_subnet_ids,
    idle_timeout=3600,  # keep idle WebSocket connections open
    default_target_group={
        "port": 8080,
        "protocol": "HTTP",
        "target_type": "ip",
        "vpc_id": vpc.vpc_id,
        "health_check": {"path": "/healthz"},
        "stickiness": {"type": "lb_cookie", "enabled": True},
    },
)

cluster = aws.ecs.Cluster("dashboard", settings=[{"name": "containerInsights", "value": "enabled"}])
repo = awsx.ecr.Repository("dashboard-repo", force_delete=True)

service = awsx.ecs.FargateService(
    "dashboard",
    cluster=cluster.arn,
    desired_count=2,
    network_configuration={"subnets": vpc.private_subnet_ids, "assign_public_ip": False},
    task_definition_args={
        "container": {
            "name": "ws",
            "image": pulumi.Output.concat(repo.url, ":latest"),
            "cpu": 512,
            "memory": 1024,
            "essential": True,
            "port_mappings": [{"container_port": 8080, "target_group": alb.default_target_group}],
            "environment": [{"name": "MQTT_URL", "value": "mqtts://broker.example.com:8883"}],
        },
    },
    tags={"workload:connections": "persistent", "workload:trigger": "continuous", "team": "dashboards"},
)

pulumi.export("url", pulumi.Output.concat("http://", alb.load_balancer.dns_name))
pulumi.export("nat_gateways", vpc.nat_gateways.apply(lambda gws: [gw.id for gw in gws]))
