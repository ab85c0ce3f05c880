"""Entry point of the iot-tiers policy pack; the Pulumi CLI runs this file.

It only assembles the pack: every policy lives in a module of iot_tiers_policy/.
"""

from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

from iot_tiers_policy import PACK_NAME, pack_policies
from iot_tiers_policy.environment import choose_from_process, initial_config

policies = pack_policies()

PolicyPack(
    name=PACK_NAME,
    policies=policies,
    # Policies state their own level (mandatory, except placement-exempted); the pack then
    # applies the profile of the stack's environment (config/dev.json or config/prod.json,
    # chosen from the stack config: iot_tiers_policy/environment.py), and a
    # --policy-pack-config file overrides any of it.
    enforcement_level=EnforcementLevel.MANDATORY,
    initial_config=initial_config(policies, choose_from_process(), Path(__file__).resolve().parent / "config"),
    description="Blocks IoT workloads placed on the wrong AWS compute service (Lambda, ECS Fargate, EC2) "
                "and enforces a security baseline for Lambda, SQS, SNS, DynamoDB, KMS, IAM, ECS, ELB, EC2, "
                "CloudWatch Logs, Secrets Manager, ECR, S3, VPC and IoT Core.",
    display_name="iot-tiers placement and security",
    provider="aws",
    tags=["iot", "placement", "security"],
)
