import pulumi
import pulumi_aws as aws

portal = aws.apprunner.Service(
    "partner-portal",
    service_name="partner-portal",
    source_configuration={
        "auto_deployments_enabled": False,
        "image_repository": {
            "image_identifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
            "image_repository_type": "ECR_PUBLIC",
            "image_configuration": {"port": "8000"},
        },
    },
    instance_configuration={"cpu": "1024", "memory": "2048"},
)

status_page = aws.lightsail.Instance(
    "status-page",
    availability_zone="us-east-1a",
    blueprint_id="amazon_linux_2023",
    bundle_id="nano_3_0",
)

pulumi.export("portal_url", portal.service_url)
