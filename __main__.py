"""The iot-tiers stack program: one program for every environment.

What differs between dev and prod lives in Pulumi.<stack>.yaml (validated against
the settings table in components/config); nothing here branches on the stack name.
"""

import pulumi

from components import ProcessingTier
from components.config import from_pulumi

settings = from_pulumi()
common_tags = {"iot-tiers:stack": pulumi.get_stack(), "iot-tiers:environment": settings["stack"]["environment"]}

processing = ProcessingTier("processing", {**settings["processing"], "tags": common_tags})

pulumi.export("telemetry_table", processing.table.name)
pulumi.export("telemetry_queue_url", processing.queue.url)
pulumi.export("alert_topic_arn", processing.topic.arn)
pulumi.export("telemetry_function", processing.function.name)
