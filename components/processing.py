"""ProcessingTier: event-driven telemetry processing on Lambda.

Devices publish to AWS IoT Core; an IoT rule selects telemetry into an encrypted
SQS queue; the telemetry function (``iot_tiers_runtime.processing.handler.handler``) drains
the queue in batches, writes readings to DynamoDB and publishes alerts to SNS.
Each unit of work is one batch that finishes in seconds, which is exactly what
the decision rule puts on Lambda (step 2).

Why a queue between the rule and the function, rather than the rule invoking the
function directly: the queue absorbs bursts (a fleet reconnecting after an outage),
gives retries per record (``ReportBatchItemFailures``) and a dead-letter queue, and
lets batching cut DynamoDB calls by 25x.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional, TypedDict

import pulumi
import pulumi_aws as aws

from iot_tiers_policy.decision import Service, WorkloadProfile

from .assets import lambda_archive
from .base import TierComponent, Transform, allow, assume_role_policy, policy_document
from .config import resolve_tier
from .tags import workload_tags

#: Handler paths inside the archive of :func:`~.assets.lambda_archive` (which keeps the
#: ``iot_tiers_runtime/`` prefix).
HANDLER = "iot_tiers_runtime.processing.handler.handler"
RELAY_HANDLER = "iot_tiers_runtime.processing.alert_relay.handler"
LAMBDA_RUNTIME = "python3.12"

#: AWS publishes Powertools for AWS Lambda (Python) as a public layer per region;
#: the handler imports it lazily, and the layer keeps it out of our package.
POWERTOOLS_LAYER = "arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:{version}"
POWERTOOLS_LAYER_VERSION = 18


class ProcessingTierArgs(TypedDict, total=False):
    """Arguments of :class:`ProcessingTier`. Every key is optional.

    The defaults below are the development defaults from the settings table
    (``components/config/processing.py``); a stack file overrides them per stack.
    """

    memory_mb: int
    """Lambda memory in MB, 128-10240. Default ``256``. Example: ``1024`` for prod."""
    timeout_s: int
    """Timeout of one invocation (one batch), 1-900 s. Default ``30``. The queue's
    visibility timeout is set to ``6 * timeout_s + batch_window_s``."""
    batch_size: int
    """Readings per invocation, 1-10000 (above 10 needs ``batch_window_s >= 1``). Default ``100``."""
    batch_window_s: int
    """Longest wait to fill a batch, 0-300 s. Default ``1``."""
    provisioned_concurrency: int
    """Provisioned concurrency on the ``live`` alias; ``0`` (default) turns it off."""
    reserved_concurrency: int
    """Reserved concurrency; ``-1`` for unreserved. Default ``10``."""
    max_receive_count: int
    """Deliveries before a message moves to the dead-letter queue. Default ``5``."""
    alert_threshold_celsius: int
    """Temperature (whole degrees C) above which an alert is published. Default ``80``."""
    ttl_days: int
    """Days a reading is kept before its TTL expires it. Default ``90``."""
    point_in_time_recovery: bool
    """Point-in-time recovery on the table. Default ``False`` (``True`` in prod)."""
    deletion_protection: bool
    """Deletion protection on the table. Default ``False`` (``True`` in prod)."""
    topic_filter: str
    """MQTT filter the IoT rule reads; its ``+`` level is the device id. Default ``devices/+/telemetry``."""
    alarm_dlq_depth: int
    """Dead-letter messages that raise the DLQ alarm. Default ``1``."""
    alert_email: str
    """E-mail address subscribed to the alert topic; ``""`` (default) for none."""
    alerts_to_mqtt: bool
    """Relay every alert to MQTT ``<alert_topic_prefix><deviceId>`` through a small Lambda
    subscribed to the alert topic, so dashboards get alerts through the bridge. Default ``True``."""
    alert_topic_prefix: str
    """MQTT topic prefix of relayed alerts. Default ``"alerts/"``."""
    log_retention_days: int
    """Retention of the functions' log groups, in days. Default ``14``."""
    tags: Mapping[str, str]
    """Extra tags for every child resource. Default none."""
    transform: Mapping[str, Transform]
    """Escape hatch: per-child functions that rewrite a child's arguments before it is
    created, keyed by child name (``table``, ``queue``, ``dlq``, ``rejects``, ``topic``,
    ``key``, ``function``, ``alias``, ``role``, ``rule``, ``log-group``, ``relay-function``, ...).
    Example: ``{"table": lambda a: {**a, "table_class": "STANDARD_INFREQUENT_ACCESS"}}``."""


class ProcessingTier(TierComponent):
    """The Lambda tier: IoT rule -> SQS -> telemetry function -> DynamoDB + SNS alerts.

    Outputs: ``table_name``, ``table_arn``, ``queue_url``, ``queue_arn``,
    ``dead_letter_queue_url``, ``rejects_queue_url``, ``alert_topic_arn``,
    ``function_name``, ``function_arn``, ``alias_arn``, ``role_arn``,
    ``log_group_name``, ``rule_name``.
    """

    tier = "processing"

    def __init__(self, name: str, args: Optional[ProcessingTierArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        given = dict(args or {})
        tags = given.pop("tags", None)
        transform = given.pop("transform", None)
        super().__init__("iot-tiers:components:ProcessingTier", name, tags, transform, opts)
        a = resolve_tier("processing", given)
        self.settings = a
        self._region = aws.get_region_output(opts=pulumi.InvokeOptions(parent=self)).region
        self._account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id

        # --- Alert topic, encrypted with a key CloudWatch alarms may use (the
        # AWS-managed aws/sns key refuses the CloudWatch service principal).
        self.key = self.child(
            aws.kms.Key, "key",
            description=f"{name}: encrypts the alert topic",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=self._account.apply(_key_policy),
            tags=self.tags(),
        )
        self.topic = self.child(aws.sns.Topic, "topic", kms_master_key_id=self.key.arn, tags=self.tags())
        if a["alert_email"]:
            self.child(aws.sns.TopicSubscription, "email", topic=self.topic.arn,
                       protocol="email", endpoint=a["alert_email"])

        # --- Queues: telemetry, its dead-letter queue, and the rejects queue where
        # the handler keeps invalid readings (with the reason) for inspection.
        retention_14d = 14 * 24 * 3600
        self.dlq = self.child(aws.sqs.Queue, "dlq", sqs_managed_sse_enabled=True,
                              message_retention_seconds=retention_14d, tags=self.tags())
        self.rejects = self.child(aws.sqs.Queue, "rejects", sqs_managed_sse_enabled=True,
                                  message_retention_seconds=retention_14d, tags=self.tags())
        self.queue = self.child(
            aws.sqs.Queue, "queue",
            sqs_managed_sse_enabled=True,
            # AWS: at least 6x the function timeout plus the batching window, so a
            # batch still being processed is not handed to a second invocation.
            visibility_timeout_seconds=6 * a["timeout_s"] + a["batch_window_s"],
            message_retention_seconds=4 * 24 * 3600,
            redrive_policy=self.dlq.arn.apply(lambda arn: json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": a["max_receive_count"]})),
            tags=self.tags(),
        )

        # --- Table: one item per reading, pk DEVICE#<id>, sk TS#<timestamp>.
        self.table = self.child(
            aws.dynamodb.Table, "table",
            billing_mode="PAY_PER_REQUEST",
            hash_key="pk", range_key="sk",
            attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S"),
                        aws.dynamodb.TableAttributeArgs(name="sk", type="S")],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="ttl", enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=a["point_in_time_recovery"]),
            deletion_protection_enabled=a["deletion_protection"],
            tags=self.tags(),
            opts=pulumi.ResourceOptions(protect=a["deletion_protection"]),
        )

        # --- The function, with a least-privilege role: this table, this topic (and its
        # key), these queues. Every unit of work is one batch, bounded by timeout_s.
        self.log_group, self.role, self.role_policy, self.function = self._python_function(
            "", "telemetry", a,
            handler=HANDLER, description="iot-tiers telemetry: validate, store, alert",
            purpose="telemetry function",
            timeout_s=a["timeout_s"],
            statements=[
                allow(["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
                      [self.table.arn], "WriteReadings"),
                allow(["sns:Publish"], [self.topic.arn], "PublishAlerts"),
                allow(["kms:GenerateDataKey", "kms:Decrypt"], [self.key.arn], "EncryptAlerts"),
                allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                       "sqs:ChangeMessageVisibility"], [self.queue.arn], "ConsumeTelemetry"),
                allow(["sqs:SendMessage"], [self.rejects.arn, self.dlq.arn], "KeepRejects"),
            ],
            memory_size=a["memory_mb"],
            reserved_concurrent_executions=a["reserved_concurrency"],
            publish=True,
            layers=[self._region.apply(
                lambda r: POWERTOOLS_LAYER.format(region=r, version=POWERTOOLS_LAYER_VERSION))],
            variables={
                "TABLE_NAME": self.table.name,
                "ALERT_TOPIC_ARN": self.topic.arn,
                "REJECTS_QUEUE_URL": self.rejects.url,
                "ALERT_THRESHOLD_CELSIUS": str(a["alert_threshold_celsius"]),
                "TTL_DAYS": str(a["ttl_days"]),
                "POWERTOOLS_SERVICE_NAME": "telemetry",
                "POWERTOOLS_METRICS_NAMESPACE": "IotTiers",
            },
        )
        self.alias = self.child(aws.lambda_.Alias, "alias", name="live", function_name=self.function.name,
                                function_version=self.function.version)
        if a["provisioned_concurrency"] > 0:
            self.child(aws.lambda_.ProvisionedConcurrencyConfig, "provisioned",
                       function_name=self.function.name, qualifier=self.alias.name,
                       provisioned_concurrent_executions=a["provisioned_concurrency"])

        scaling = None
        if a["reserved_concurrency"] >= 2:
            # Keep the poller from invoking more copies than are reserved: excess
            # invocations would be throttled and the messages bounced back.
            scaling = aws.lambda_.EventSourceMappingScalingConfigArgs(
                maximum_concurrency=min(a["reserved_concurrency"], 1000))
        self.event_source = self.child(
            aws.lambda_.EventSourceMapping, "event-source",
            event_source_arn=self.queue.arn,
            function_name=self.alias.arn,
            batch_size=a["batch_size"],
            maximum_batching_window_in_seconds=a["batch_window_s"],
            function_response_types=["ReportBatchItemFailures"],
            scaling_config=scaling,
            tags=self.tags(),
        )

        # --- IoT rule: telemetry topic -> queue, with the device id from the topic
        # and the broker's timestamp added; failures go to the rejects queue.
        self.rule_role = self.child(aws.iam.Role, "rule-role", assume_role_policy=assume_role_policy("iot.amazonaws.com"),
                                    description=f"{name}: IoT rule delivery", tags=self.tags())
        self.child(aws.iam.RolePolicy, "rule-role-policy", role=self.rule_role.id,
                   policy=policy_document(allow(["sqs:SendMessage"], [self.queue.arn, self.rejects.arn], "Deliver")))
        device_level = a["topic_filter"].split("/").index("+") + 1
        self.rule = self.child(
            aws.iot.TopicRule, "rule",
            name=f"{name}_telemetry".replace("-", "_"),
            description="Device telemetry into the processing queue",
            enabled=True,
            sql=f"SELECT *, topic({device_level}) AS deviceId, timestamp() AS brokerTimestamp "
                f"FROM '{a['topic_filter']}'",
            sql_version="2016-03-23",
            sqs=[aws.iot.TopicRuleSqsArgs(queue_url=self.queue.url, role_arn=self.rule_role.arn, use_base64=False)],
            error_action=aws.iot.TopicRuleErrorActionArgs(
                sqs=aws.iot.TopicRuleErrorActionSqsArgs(queue_url=self.rejects.url, role_arn=self.rule_role.arn,
                                                        use_base64=False)),
            tags=self.tags(),
        )

        if a["alerts_to_mqtt"]:
            self._alert_relay(name, a)

        # --- Alarms, all notifying the alert topic.
        self.alarms = [
            self._alarm("alarm-dlq", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                        {"QueueName": self.dlq.name}, a["alarm_dlq_depth"], "Maximum",
                        "Telemetry messages failed repeatedly and reached the dead-letter queue"),
            self._alarm("alarm-errors", "AWS/Lambda", "Errors", {"FunctionName": self.function.name}, 1, "Sum",
                        "The telemetry function raised errors"),
            self._alarm("alarm-throttles", "AWS/Lambda", "Throttles", {"FunctionName": self.function.name}, 1, "Sum",
                        "The telemetry function was throttled (raise reserved concurrency?)"),
        ]

        self.table_name = self.table.name
        self.table_arn = self.table.arn
        self.queue_url = self.queue.url
        self.queue_arn = self.queue.arn
        self.alert_topic_arn = self.topic.arn
        self.function_arn = self.function.arn
        self.register_outputs({
            "table_name": self.table.name,
            "table_arn": self.table.arn,
            "queue_url": self.queue.url,
            "queue_arn": self.queue.arn,
            "dead_letter_queue_url": self.dlq.url,
            "rejects_queue_url": self.rejects.url,
            "alert_topic_arn": self.topic.arn,
            "function_name": self.function.name,
            "function_arn": self.function.arn,
            "alias_arn": self.alias.arn,
            "role_arn": self.role.arn,
            "log_group_name": self.log_group.name,
            "rule_name": self.rule.name,
        })

    def _alarm(self, short: str, namespace: str, metric: str, dimensions: Mapping[str, Any],
               threshold: float, statistic: str, description: str) -> aws.cloudwatch.MetricAlarm:
        return self.child(
            aws.cloudwatch.MetricAlarm, short,
            namespace=namespace, metric_name=metric, dimensions=dimensions,
            statistic=statistic, period=60, evaluation_periods=1,
            threshold=threshold, comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            alarm_description=description,
            alarm_actions=[self.topic.arn], ok_actions=[self.topic.arn],
            tags=self.tags(),
        )

    def _alert_relay(self, name: str, a: Mapping[str, Any]) -> None:
        """SNS alert topic -> relay Lambda -> MQTT ``<prefix><deviceId>`` on IoT Core.

        Subscribers to the topic get alerts as they always did; the relay adds the
        dashboards. SNS invokes the relay asynchronously: Lambda retries a failed event
        twice, then sends it to the dead-letter queue, so no alert is dropped silently.
        """
        endpoint = aws.iot.get_endpoint_output(endpoint_type="iot:Data-ATS",
                                               opts=pulumi.InvokeOptions(parent=self)).endpoint_address
        topic_arn = pulumi.Output.all(self._region, self._account).apply(
            lambda ra: f"arn:aws:iot:{ra[0]}:{ra[1]}:topic/{a['alert_topic_prefix']}*")
        self.relay_log_group, self.relay_role, self.relay_role_policy, self.relay_function = \
            self._python_function(
                "relay-", "alert-relay", a,
                handler=RELAY_HANDLER, description="iot-tiers alerts: SNS -> MQTT for dashboards",
                purpose="alert relay",
                timeout_s=10,
                statements=[allow(["iot:Publish"], [topic_arn], "PublishAlerts"),
                            allow(["sqs:SendMessage"], [self.dlq.arn], "KeepFailedEvents")],
                memory_size=128,
                # Alerts are rare; a burst beyond this is throttled and retried by Lambda's async queue.
                reserved_concurrent_executions=2,
                variables={
                    "IOT_DATA_ENDPOINT": endpoint.apply(lambda host: f"https://{host}"),
                    "ALERT_TOPIC_PREFIX": a["alert_topic_prefix"],
                },
            )
        self.child(aws.lambda_.FunctionEventInvokeConfig, "relay-invoke-config",
                   function_name=self.relay_function.name,
                   maximum_retry_attempts=2,
                   destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                       on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                           destination=self.dlq.arn)))
        permission = self.child(aws.lambda_.Permission, "relay-permission",
                                action="lambda:InvokeFunction", function=self.relay_function.name,
                                principal="sns.amazonaws.com", source_arn=self.topic.arn)
        self.child(aws.sns.TopicSubscription, "relay-subscription", topic=self.topic.arn,
                   protocol="lambda", endpoint=self.relay_function.arn,
                   opts=pulumi.ResourceOptions(depends_on=[permission]))

    def _python_function(self, prefix: str, leaf: str, a: Mapping[str, Any], *, handler: str,
                         description: str, purpose: str, timeout_s: int, statements: list[dict[str, Any]],
                         variables: Mapping[str, Any], **function_args: Any) -> tuple[Any, Any, Any, Any]:
        """A handler of ``runtime/`` as an arm64 Python function: its log group (ours, so
        its retention is set), a role allowed ``statements`` plus writing that log group,
        and the function, tagged as event work bounded by ``timeout_s``.

        Children are named ``<prefix>log-group``, ``<prefix>role``, ``<prefix>role-policy``
        and ``<prefix>function``.
        """
        log_group = self.child(
            aws.cloudwatch.LogGroup, f"{prefix}log-group",
            name=f"/iot-tiers/{pulumi.get_stack()}/{self._name}/{leaf}",
            retention_in_days=a["log_retention_days"], tags=self.tags())
        role = self.child(aws.iam.Role, f"{prefix}role", assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
                          description=f"{self._name}: {purpose}", tags=self.tags())
        role_policy = self.child(
            aws.iam.RolePolicy, f"{prefix}role-policy", role=role.id,
            policy=policy_document(*statements, allow(["logs:CreateLogStream", "logs:PutLogEvents"],
                                                      [log_group.arn.apply(lambda arn: f"{arn}:*")], "WriteLogs")))
        profile = WorkloadProfile(persistent_connections=False, trigger="event", max_duration_s=timeout_s)
        function = self.child(
            aws.lambda_.Function, f"{prefix}function",
            description=description,
            runtime=LAMBDA_RUNTIME, architectures=["arm64"],
            handler=handler,
            code=lambda_archive(),
            role=role.arn, timeout=timeout_s,
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(variables)),
            tags=self.tags(workload_tags(profile, expect=Service.LAMBDA)),
            opts=pulumi.ResourceOptions(depends_on=[role_policy, log_group]),
            **function_args,
        )
        return log_group, role, role_policy, function

    # --------------------------------------------------------- CDK-style helpers
    def grant_read_table(self, role: aws.iam.Role, name: str = "read-telemetry") -> aws.iam.RolePolicy:
        """Let ``role`` query the telemetry table (for a dashboard API, say), and nothing else."""
        return aws.iam.RolePolicy(
            f"{self._name}-{name}", role=role.id,
            policy=policy_document(allow(["dynamodb:GetItem", "dynamodb:Query"], [self.table.arn], "ReadReadings")),
            opts=pulumi.ResourceOptions(parent=self))

    def grant_subscribe_alerts(self, queue: aws.sqs.Queue, name: str = "alerts-to-queue") -> aws.sns.TopicSubscription:
        """Subscribe an SQS queue to the alert topic (the queue's policy must allow SNS)."""
        return aws.sns.TopicSubscription(f"{self._name}-{name}", topic=self.topic.arn, protocol="sqs",
                                         endpoint=queue.arn, opts=pulumi.ResourceOptions(parent=self))


def _key_policy(account: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AccountAdmin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "AlarmsPublishToTopic", "Effect": "Allow",
             "Principal": {"Service": "cloudwatch.amazonaws.com"},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"},
        ],
    })
