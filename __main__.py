"""The iot-tiers stack program: one program for every environment.

What differs between dev and prod lives in Pulumi.<stack>.yaml (validated against
the settings table in components/config); nothing here branches on the stack name.
"""

import pulumi

from iot_tiers.components import ProcessingTier
from iot_tiers.components import Network, RealtimeTier
from iot_tiers.components import HeavyComputeTier
from iot_tiers.components.config.heavy import role_settings
from iot_tiers.components.config import from_pulumi

settings = from_pulumi()
common_tags = {"iot-tiers:stack": pulumi.get_stack(), "iot-tiers:environment": settings["stack"]["environment"]}

processing = ProcessingTier("processing", {**settings["processing"], "tags": common_tags})

# The network every tier runs in; tiers take its ids, so a team with its own VPC
# passes those instead.
network = Network("network", {**settings["network"], "tags": common_tags})

realtime = RealtimeTier("realtime", {
    **settings["realtime"],
    **network.placement(),
    "environment": settings["stack"]["environment"],
    "tags": common_tags,
})

# Heavy compute on EC2: one tier per role listed in heavyRoles ([] for none), in the
# network's private subnets; the broker's load balancer may use the public ones.
heavy = {
    role: HeavyComputeTier(f"heavy-{role}", {
        **role_settings(settings, role),
        "role": role,
        "vpc_id": network.vpc_id,
        "subnet_ids": network.private_subnet_ids,
        "public_subnet_ids": network.public_subnet_ids,
        "vpc_cidr": network.cidr_block,
        "tags": common_tags,
    })
    for role in settings["heavy"]["roles"]
}

pulumi.export("telemetry_table", processing.table.name)
pulumi.export("telemetry_queue_url", processing.queue.url)
pulumi.export("alert_topic_arn", processing.topic.arn)
pulumi.export("telemetry_function", processing.function.name)
pulumi.export("vpc_id", network.vpc_id)
pulumi.export("dashboard_url", realtime.url)
pulumi.export("bridge_cluster", realtime.cluster.name)
pulumi.export("bridge_service", realtime.service.name)
pulumi.export("heavy", {role: tier.output_values for role, tier in heavy.items()})
