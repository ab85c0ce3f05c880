import pulumi
import pulumi_aws as aws

from pipeline import IngestPipeline, IngestPipelineArgs

readings = aws.dynamodb.Table(
    "readings",
    billing_mode="PAY_PER_REQUEST",
    hash_key="sensor_id",
    range_key="ts",
    attributes=[
        aws.dynamodb.TableAttributeArgs(name="sensor_id", type="S"),
        aws.dynamodb.TableAttributeArgs(name="ts", type="N"),
    ],
)

pipeline = IngestPipeline(
    "ingest",
    IngestPipelineArgs(
        table_name=readings.name,
        table_arn=readings.arn,
        batch_size=25,
    ),
)

pulumi.export("queue_url", pipeline.queue.url)
pulumi.export("function", pipeline.function.name)
