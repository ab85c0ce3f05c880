"""Entry point of the iot-tiers policy pack; the Pulumi CLI runs this file.

It only assembles the pack: every policy lives in a module of iot_tiers_policy/.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from iot_tiers_policy import PACK_NAME, pack_policies

PolicyPack(
    name=PACK_NAME,
    policies=pack_policies(),
    # Policies state their own level (mandatory, except placement-exempted);
    # policies/config/<env>.json relaxes what a dev stack may relax.
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Blocks IoT workloads placed on the wrong AWS compute service (Lambda, ECS Fargate, EC2) "
                "and enforces a security baseline for Lambda, SQS, SNS, DynamoDB, KMS, IAM, ECS, ELB, EC2, "
                "CloudWatch Logs, Secrets Manager, ECR, S3, VPC and IoT Core.",
    display_name="iot-tiers placement and security",
    provider="aws",
    tags=["iot", "placement", "security"],
)
