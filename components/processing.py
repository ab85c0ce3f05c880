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

import json
from typing import Any, Mapping, Optional, Sequence, TypedDict

import pulumi
import pulumi_aws as aws

from iot_tiers_policy.decision import Service, WorkloadProfile

from .assets import lambda_archive
from .base import TierComponent, Transform, allow, assume_role_policy, policy_document
from .names import iot_rule_name, log_group_name
from .grants import QueueLike, RoleLike, grantee_key, role_name
from .config import resolve_tier
from .config.schema import lift
from .tags import workload_tags

#: Handler paths inside the archive of :func:`~.assets.lambda_archive` (which keeps the
#: ``iot_tiers_runtime/`` prefix).
HANDLER = "iot_tiers_runtime.processing.handler.handler"
RELAY_HANDLER = "iot_tiers_runtime.processing.alert_relay.handler"
LAMBDA_RUNTIME = "python3.12"
#: Reserved executions of the alert relay (when the tier reserves any).
RELAY_RESERVED = 2

#: AWS publishes Powertools for AWS Lambda (Python) as a public layer per region;
#: the handler imports it lazily, and the layer keeps it out of our package.
POWERTOOLS_LAYER = "arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:{version}"
#: Layer version 26 holds Powertools 3.22.1, the release the dev extra pins and the tests run
#: (the sources are in tests/components/test_powertools_layer.py, which fails if either moves
#: without the other). Powertools' own docs pages showed a stale 18 for months (their issue #7650).
POWERTOOLS_LAYER_VERSION = 26


class ProcessingTierInputs(TypedDict, total=False):
    """Arguments of :class:`ProcessingTier` that every Pulumi language can pass. All optional.

    Defaults and allowed values come from the settings table
    (``components/config/processing.py``), which also reads them from stack config;
    the text of each table-backed key below is generated from it
    (``python -m tools.args_docs update``). Keys typed ``pulumi.Input`` take Outputs
    too, checked once their value is known.
    """

    memory_mb: pulumi.Input[int]
    """Memory of the telemetry Lambda function, in MB (CPU scales with it). Allowed: a whole number of
    MB from 128 to 10240. Default: ``256``. Stack config: ``iot-tiers:processingMemoryMb``."""
    timeout_s: pulumi.Input[int]
    """Timeout of one invocation (one SQS batch), in seconds. The queue's visibility timeout is set to
    6x this, as AWS recommends for SQS event sources. Allowed: a whole number of seconds from 1 to
    899: the decision rule puts work that runs 900 s or longer on EC2. Default: ``30``. Stack config:
    ``iot-tiers:processingTimeoutS``."""
    batch_size: pulumi.Input[int]
    """Readings per Lambda invocation from the SQS queue. Above 10 needs a batching window. Allowed: a
    whole number from 1 to 10000. Default: ``100``. Stack config: ``iot-tiers:processingBatchSize``."""
    batch_window_s: pulumi.Input[int]
    """Longest wait, in seconds, to fill a batch before invoking the function. Allowed: a whole number
    of seconds from 0 to 300. Default: ``1``. Stack config: ``iot-tiers:processingBatchWindowS``."""
    provisioned_concurrency: int
    """Provisioned concurrency on the 'live' alias; 0 turns it off (cold starts are harmless for
    telemetry, so dev keeps it at 0). Allowed: a whole number from 0 to 1000. Default: ``0``. Stack
    config: ``iot-tiers:processingProvisionedConcurrency``."""
    reserved_concurrency: int
    """Reserved concurrency of the function: caps how hard it can hit DynamoDB and guarantees it that
    many executions. -1 means unreserved. Allowed: -1 (unreserved) or a whole number from 1 to 1000.
    Default: ``10``. Stack config: ``iot-tiers:processingReservedConcurrency``."""
    max_receive_count: pulumi.Input[int]
    """Deliveries of one message before SQS moves it to the dead-letter queue. Allowed: a whole number
    from 1 to 1000. Default: ``5``. Stack config: ``iot-tiers:processingMaxReceiveCount``."""
    alert_threshold_celsius: pulumi.Input[int]
    """Temperature, in whole degrees Celsius, above which a reading publishes an SNS alert. Allowed: a
    whole number from -40 to 125 (the accepted reading range). Default: ``80``. Stack config:
    ``iot-tiers:processingAlertThresholdCelsius``."""
    ttl_days: pulumi.Input[int]
    """Days a reading is kept in the table before its TTL expires it. Allowed: a whole number of days
    from 1 to 3650. Default: ``90``. Stack config: ``iot-tiers:processingTtlDays``."""
    point_in_time_recovery: pulumi.Input[bool]
    """Point-in-time recovery on the telemetry table (on in prod). Allowed: true or false. Default:
    ``False``. Stack config: ``iot-tiers:processingPointInTimeRecovery``."""
    deletion_protection: bool
    """Deletion protection on the telemetry table (on in prod). Allowed: true or false. Default:
    ``False``. Stack config: ``iot-tiers:processingDeletionProtection``."""
    topic_filter: pulumi.Input[str]
    """MQTT topic filter the IoT rule selects telemetry from; the device id is the segment the '+'
    matches. Allowed: an MQTT filter with exactly one '+' level and no '#', e.g. devices/+/telemetry.
    Default: ``"devices/+/telemetry"``. Stack config: ``iot-tiers:processingTopicFilter``."""
    alarm_dlq_depth: pulumi.Input[int]
    """Messages in the dead-letter queue that raise the DLQ alarm. Allowed: a whole number from 1 to
    100000. Default: ``1``. Stack config: ``iot-tiers:processingAlarmDlqDepth``."""
    alert_email: str
    """Optional e-mail address subscribed to the alert topic and the ops (alarm) topic ('' for none).
    Allowed: an e-mail address or ''. Default: ``""``. Stack config:
    ``iot-tiers:processingAlertEmail``."""
    alerts_to_mqtt: bool
    """Relay every alert to MQTT (<alertTopicPrefix><deviceId>) with a small Lambda subscribed to the
    alert topic, so dashboards receive alerts through the bridge. Allowed: true or false. Default:
    ``True``. Stack config: ``iot-tiers:processingAlertsToMqtt``."""
    alert_topic_prefix: pulumi.Input[str]
    """MQTT topic prefix of relayed alerts; the device id is the next level. The RealtimeTier's alert
    filters must cover it (realtimeAlertFilters) for dashboards to subscribe. Allowed: levels ending
    in '/', without '+' or '#', not starting with '$' or '/', e.g. alerts/. Default: ``"alerts/"``.
    Stack config: ``iot-tiers:processingAlertTopicPrefix``."""
    log_retention_days: pulumi.Input[int]
    """CloudWatch Logs retention for the processing tier's log groups, in days. Allowed: one of the
    periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653. Default: ``14``. Stack config:
    ``iot-tiers:processingLogRetentionDays``."""
    table_readers: Sequence[pulumi.Input[str]]
    """IAM roles (names or ARNs) that may query the telemetry table: one inline policy each, named
    ``table-reader-<n>`` in list order. The argument form of :meth:`ProcessingTier.grant_read_table`,
    for programs in other languages. Default none."""
    alert_queues: Sequence[pulumi.Input[str]]
    """ARNs of SQS queues to subscribe to the alert topic (their policies must allow SNS). The argument
    form of :meth:`ProcessingTier.grant_subscribe_alerts`. Default none."""
    tags: Mapping[str, str]
    """Extra tags for every child resource. Default none."""


class ProcessingTierArgs(ProcessingTierInputs, total=False):
    """Arguments of :class:`ProcessingTier` (Python): every input, plus ``transform``."""

    transform: Mapping[str, Transform]
    """Escape hatch: per-child functions that rewrite a child's keyword arguments before it is
    created, keyed by the child's short name (see ``ProcessingTier.children``: ``table``, ``queue``,
    ``function``, ``rule``, ...); a key naming no child is refused. Other languages use Pulumi's own
    ``transforms`` resource option instead. Example:
    ``{"table": lambda a: {**a, "table_class": "STANDARD_INFREQUENT_ACCESS"}}``."""


class ProcessingTier(TierComponent):
    """The Lambda tier: IoT rule -> SQS -> telemetry function -> DynamoDB + SNS alerts."""

    tier = "processing"
    type_token = "iot-tiers:index:ProcessingTier"
    previous_type_tokens = ("iot-tiers:components:ProcessingTier",)
    children = (
        "key", "topic", "email", "ops-topic", "ops-email", "dlq", "rejects", "queue", "table",
        "log-group", "role", "role-policy", "function", "alias", "provisioned", "event-source",
        "rule-role", "rule-role-policy", "rule",
        "relay-log-group", "relay-role", "relay-role-policy", "relay-function", "relay-invoke-config",
        "relay-permission", "relay-subscription",
        "alarm-dlq", "alarm-errors", "alarm-throttles",
        "table-reader-*", "alert-queue-*", "read-table-*", "alerts-to-*",
    )

    table_name: pulumi.Output[str]
    """Name of the telemetry table (keys ``pk``/``sk``)."""
    table_arn: pulumi.Output[str]
    """ARN of the telemetry table."""
    queue_url: pulumi.Output[str]
    """URL of the telemetry queue the IoT rule delivers to."""
    queue_arn: pulumi.Output[str]
    """ARN of the telemetry queue."""
    dead_letter_queue_url: pulumi.Output[str]
    """URL of the dead-letter queue (messages that failed ``max_receive_count`` times, failed alert relays)."""
    rejects_queue_url: pulumi.Output[str]
    """URL of the rejects queue: invalid readings, each with its reason."""
    alert_topic_arn: pulumi.Output[str]
    """ARN of the KMS-encrypted SNS alert topic (device alerts; the relay sends them to MQTT)."""
    ops_topic_arn: pulumi.Output[str]
    """ARN of the KMS-encrypted SNS topic the tier's CloudWatch alarms notify (operators, not devices)."""
    function_name: pulumi.Output[str]
    """Name of the telemetry function."""
    function_arn: pulumi.Output[str]
    """ARN of the telemetry function."""
    alias_arn: pulumi.Output[str]
    """ARN of the function's ``live`` alias, which the queue invokes."""
    role_arn: pulumi.Output[str]
    """ARN of the telemetry function's role."""
    log_group_name: pulumi.Output[str]
    """Log group of the telemetry function."""
    rule_name: pulumi.Output[str]
    """Name of the IoT topic rule."""

    def __init__(self, name: str, args: Optional[ProcessingTierArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        given = dict(args or {})
        tags, transform = given.pop("tags", None), given.pop("transform", None)
        readers, alert_queues = given.pop("table_readers", None) or [], given.pop("alert_queues", None) or []
        self.settings = resolve_tier("processing", given)
        super().__init__(name, tags, transform, opts)
        invoke = pulumi.InvokeOptions(parent=self)
        self._region = aws.get_region_output(opts=invoke).region
        self._account = aws.get_caller_identity_output(opts=invoke).account_id
        self._grants: dict[tuple[str, str], pulumi.Resource] = {}

        self._alert_topic()
        self._ops_topic()
        self._queues()
        self._table()
        self._telemetry_function()
        self._event_source()
        self._iot_rule()
        if self.settings.plain("alerts_to_mqtt"):
            self._alert_relay()
        self._alarms()
        self._cross_language_grants(readers, alert_queues)
        self._outputs()

    # ------------------------------------------------------------ steps
    def _alert_topic(self) -> None:
        """The alert topic, encrypted with a key CloudWatch alarms may use (the AWS-managed
        aws/sns key refuses the CloudWatch service principal)."""
        self.key = self.child(
            aws.kms.Key, "key",
            description=f"{self._name}: encrypts the alert topic",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=self._account.apply(_key_policy),
            tags=self.tags(),
        )
        self.topic = self.child(aws.sns.Topic, "topic", kms_master_key_id=self.key.arn, tags=self.tags())
        if self.settings.plain("alert_email"):
            self.child(aws.sns.TopicSubscription, "email", topic=self.topic.arn,
                       protocol="email", endpoint=self.settings["alert_email"])

    def _ops_topic(self) -> None:
        """Operational alarms get a topic of their own: on the alert topic the relay would
        republish alarm JSON to ``alerts/unknown``, and dashboards would show it as a device
        alert. The same key (CloudWatch may use it), and ``alert_email`` subscribed here too."""
        self.ops_topic = self.child(aws.sns.Topic, "ops-topic", kms_master_key_id=self.key.arn, tags=self.tags())
        if self.settings.plain("alert_email"):
            self.child(aws.sns.TopicSubscription, "ops-email", topic=self.ops_topic.arn,
                       protocol="email", endpoint=self.settings["alert_email"])

    def _queues(self) -> None:
        """Telemetry, its dead-letter queue, and the rejects queue where the handler keeps
        invalid readings (with the reason) for inspection."""
        s = self.settings
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
            visibility_timeout_seconds=s.derive(lambda t, w: 6 * t + w, "timeout_s", "batch_window_s"),
            message_retention_seconds=4 * 24 * 3600,
            redrive_policy=pulumi.Output.all(self.dlq.arn, s["max_receive_count"]).apply(lambda am: json.dumps(
                {"deadLetterTargetArn": am[0], "maxReceiveCount": am[1]})),
            tags=self.tags(),
        )

    def _table(self) -> None:
        """One item per reading, pk ``DEVICE#<id>``, sk ``TS#<timestamp>``."""
        s = self.settings
        protect = s.plain("deletion_protection")
        self.table = self.child(
            aws.dynamodb.Table, "table",
            billing_mode="PAY_PER_REQUEST",
            hash_key="pk", range_key="sk",
            attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S"),
                        aws.dynamodb.TableAttributeArgs(name="sk", type="S")],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="ttl", enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=s["point_in_time_recovery"]),
            deletion_protection_enabled=protect,
            tags=self.tags(),
            opts=pulumi.ResourceOptions(protect=protect),
        )

    def _telemetry_function(self) -> None:
        """The function, with a least-privilege role: this table, this topic (and its key),
        these queues. Every unit of work is one batch, bounded by ``timeout_s``."""
        s = self.settings
        self.log_group, self.role, self.role_policy, self.function = self._python_function(
            "", "telemetry",
            handler=HANDLER, description="iot-tiers telemetry: validate, store, alert",
            purpose="telemetry function",
            timeout_s=s["timeout_s"],
            statements=[
                allow(["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
                      [self.table.arn], "WriteReadings"),
                allow(["sns:Publish"], [self.topic.arn], "PublishAlerts"),
                allow(["kms:GenerateDataKey", "kms:Decrypt"], [self.key.arn], "EncryptAlerts"),
                allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                       "sqs:ChangeMessageVisibility"], [self.queue.arn], "ConsumeTelemetry"),
                allow(["sqs:SendMessage"], [self.rejects.arn, self.dlq.arn], "KeepRejects"),
            ],
            memory_size=s["memory_mb"],
            reserved_concurrent_executions=s.plain("reserved_concurrency"),
            publish=True,
            layers=[self._region.apply(
                lambda r: POWERTOOLS_LAYER.format(region=r, version=POWERTOOLS_LAYER_VERSION))],
            variables={
                "TABLE_NAME": self.table.name,
                "ALERT_TOPIC_ARN": self.topic.arn,
                "REJECTS_QUEUE_URL": self.rejects.url,
                "ALERT_THRESHOLD_CELSIUS": s.derive(str, "alert_threshold_celsius"),
                "TTL_DAYS": s.derive(str, "ttl_days"),
                # Powertools adds the service as a metric dimension: project, stack and tier in
                # it keep two stacks' metrics in the shared namespace apart.
                "POWERTOOLS_SERVICE_NAME": f"{pulumi.get_project()}-{pulumi.get_stack()}-{self._name}",
                "POWERTOOLS_METRICS_NAMESPACE": "IotTiers",
            },
        )
        self.alias = self.child(aws.lambda_.Alias, "alias", name="live", function_name=self.function.name,
                                function_version=self.function.version)
        provisioned = s.plain("provisioned_concurrency")
        if provisioned > 0:
            self.child(aws.lambda_.ProvisionedConcurrencyConfig, "provisioned",
                       function_name=self.function.name, qualifier=self.alias.name,
                       provisioned_concurrent_executions=provisioned)

    def _event_source(self) -> None:
        """The queue drives the ``live`` alias in batches, reporting failures per record."""
        s = self.settings
        reserved = s.plain("reserved_concurrency")
        scaling = None
        if reserved >= 2:
            # Keep the poller from invoking more copies than are reserved: excess
            # invocations would be throttled and the messages bounced back.
            scaling = aws.lambda_.EventSourceMappingScalingConfigArgs(maximum_concurrency=min(reserved, 1000))
        self.event_source = self.child(
            aws.lambda_.EventSourceMapping, "event-source",
            event_source_arn=self.queue.arn,
            function_name=self.alias.arn,
            batch_size=s["batch_size"],
            maximum_batching_window_in_seconds=s["batch_window_s"],
            function_response_types=["ReportBatchItemFailures"],
            scaling_config=scaling,
            tags=self.tags(),
        )

    def _iot_rule(self) -> None:
        """Telemetry topic -> queue, with the device id from the topic and the broker's
        timestamp added; failures go to the rejects queue."""
        self.rule_role = self.child(aws.iam.Role, "rule-role", assume_role_policy=assume_role_policy("iot.amazonaws.com"),
                                    description=f"{self._name}: IoT rule delivery", tags=self.tags())
        self.child(aws.iam.RolePolicy, "rule-role-policy", role=self.rule_role.id,
                   policy=policy_document(allow(["sqs:SendMessage"], [self.queue.arn, self.rejects.arn], "Deliver")))
        self.rule = self.child(
            aws.iot.TopicRule, "rule",
            name=iot_rule_name(self._name, "telemetry"),
            description="Device telemetry into the processing queue",
            enabled=True,
            sql=self.settings.derive(rule_sql, "topic_filter"),
            sql_version="2016-03-23",
            sqs=[aws.iot.TopicRuleSqsArgs(queue_url=self.queue.url, role_arn=self.rule_role.arn, use_base64=False)],
            error_action=aws.iot.TopicRuleErrorActionArgs(
                sqs=aws.iot.TopicRuleErrorActionSqsArgs(queue_url=self.rejects.url, role_arn=self.rule_role.arn,
                                                        use_base64=False)),
            tags=self.tags(),
        )

    def _alert_relay(self) -> None:
        """SNS alert topic -> relay Lambda -> MQTT ``<prefix><deviceId>`` on IoT Core.

        Subscribers to the topic get alerts as they always did; the relay adds the
        dashboards. SNS invokes the relay asynchronously: Lambda retries a failed event
        twice, then sends it to the dead-letter queue, so no alert is dropped silently.
        """
        s = self.settings
        endpoint = aws.iot.get_endpoint_output(endpoint_type="iot:Data-ATS",
                                               opts=pulumi.InvokeOptions(parent=self)).endpoint_address
        topic_arn = pulumi.Output.all(self._region, self._account, s["alert_topic_prefix"]).apply(
            lambda rap: f"arn:aws:iot:{rap[0]}:{rap[1]}:topic/{rap[2]}*")
        self.relay_log_group, self.relay_role, self.relay_role_policy, self.relay_function = \
            self._python_function(
                "relay-", "alert-relay",
                handler=RELAY_HANDLER, description="iot-tiers alerts: SNS -> MQTT for dashboards",
                purpose="alert relay",
                timeout_s=10,
                statements=[allow(["iot:Publish"], [topic_arn], "PublishAlerts"),
                            allow(["sqs:SendMessage"], [self.dlq.arn], "KeepFailedEvents")],
                memory_size=128,
                # Alerts are rare; a burst beyond this is throttled and retried by Lambda's async queue.
                # With the tier unreserved (-1) the relay reserves nothing either: an account whose
                # concurrency limit is 10 (new accounts often are) refuses any reservation, because
                # AWS keeps 10 executions unreserved.
                reserved_concurrent_executions=RELAY_RESERVED if s.plain("reserved_concurrency") != -1 else -1,
                variables={
                    "IOT_DATA_ENDPOINT": endpoint.apply(lambda host: f"https://{host}"),
                    "ALERT_TOPIC_PREFIX": s["alert_topic_prefix"],
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

    def _alarms(self) -> None:
        """DLQ depth, function errors and throttles, all notifying the ops topic."""
        self.alarms = [
            self._alarm("alarm-dlq", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                        {"QueueName": self.dlq.name}, self.settings["alarm_dlq_depth"], "Maximum",
                        "Telemetry messages failed repeatedly and reached the dead-letter queue"),
            self._alarm("alarm-errors", "AWS/Lambda", "Errors", {"FunctionName": self.function.name}, 1, "Sum",
                        "The telemetry function raised errors"),
            self._alarm("alarm-throttles", "AWS/Lambda", "Throttles", {"FunctionName": self.function.name}, 1, "Sum",
                        "The telemetry function was throttled (raise reserved concurrency?)"),
        ]

    def _cross_language_grants(self, readers: Sequence[pulumi.Input[str]],
                               alert_queues: Sequence[pulumi.Input[str]]) -> None:
        """The ``table_readers`` and ``alert_queues`` arguments: the grant helpers, as data."""
        self.table_reader_policies = [self._read_table_policy(f"table-reader-{i}", role)
                                      for i, role in enumerate(readers)]
        self.alert_queue_subscriptions = [self._alert_subscription(f"alert-queue-{i}", queue_arn)
                                          for i, queue_arn in enumerate(alert_queues)]

    def _outputs(self) -> None:
        self.table_name = self.table.name
        self.table_arn = self.table.arn
        self.queue_url = self.queue.url
        self.queue_arn = self.queue.arn
        self.dead_letter_queue_url = self.dlq.url
        self.rejects_queue_url = self.rejects.url
        self.alert_topic_arn = self.topic.arn
        self.ops_topic_arn = self.ops_topic.arn
        self.function_name = self.function.name
        self.function_arn = self.function.arn
        self.alias_arn = self.alias.arn
        self.role_arn = self.role.arn
        self.log_group_name = self.log_group.name
        self.rule_name = self.rule.name
        self.register_declared_outputs()

    # ------------------------------------------------------------ pieces
    def _alarm(self, short: str, namespace: str, metric: str, dimensions: Mapping[str, Any],
               threshold: pulumi.Input[float], statistic: str, description: str) -> aws.cloudwatch.MetricAlarm:
        return self.child(
            aws.cloudwatch.MetricAlarm, short,
            namespace=namespace, metric_name=metric, dimensions=dimensions,
            statistic=statistic, period=60, evaluation_periods=1,
            threshold=threshold, comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            alarm_description=description,
            alarm_actions=[self.ops_topic.arn], ok_actions=[self.ops_topic.arn],
            tags=self.tags(),
        )

    def _python_function(self, prefix: str, leaf: str, *, handler: str, description: str, purpose: str,
                         timeout_s: pulumi.Input[int], statements: list[dict[str, Any]],
                         variables: Mapping[str, Any], **function_args: Any) -> tuple[Any, Any, Any, Any]:
        """A handler of the runtime package as an arm64 Python function: its log group (ours,
        so its retention is set), a role allowed ``statements`` plus writing that log group,
        and the function, tagged as event work bounded by ``timeout_s``.

        Children are named ``<prefix>log-group``, ``<prefix>role``, ``<prefix>role-policy``
        and ``<prefix>function``.
        """
        log_group = self.child(
            aws.cloudwatch.LogGroup, f"{prefix}log-group",
            name=log_group_name(self._name, leaf),
            retention_in_days=self.settings["log_retention_days"], tags=self.tags())
        role = self.child(aws.iam.Role, f"{prefix}role", assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
                          description=f"{self._name}: {purpose}", tags=self.tags())
        role_policy = self.child(
            aws.iam.RolePolicy, f"{prefix}role-policy", role=role.id,
            policy=policy_document(*statements, allow(["logs:CreateLogStream", "logs:PutLogEvents"],
                                                      [log_group.arn.apply(lambda arn: f"{arn}:*")], "WriteLogs")))
        function = self.child(
            aws.lambda_.Function, f"{prefix}function",
            description=description,
            runtime=LAMBDA_RUNTIME, architectures=["arm64"],
            handler=handler,
            code=lambda_archive(),
            role=role.arn, timeout=timeout_s,
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(variables)),
            tags=lift(lambda t: self.tags(workload_tags(
                WorkloadProfile(persistent_connections=False, trigger="event", max_duration_s=t),
                expect=Service.LAMBDA)), timeout_s),
            opts=pulumi.ResourceOptions(depends_on=[role_policy, log_group]),
            **function_args,
        )
        return log_group, role, role_policy, function

    def _read_table_policy(self, short: str, role: RoleLike) -> aws.iam.RolePolicy:
        return self.child(
            aws.iam.RolePolicy, short, role=role_name(role),
            policy=policy_document(allow(["dynamodb:GetItem", "dynamodb:Query"], [self.table.arn], "ReadReadings")))

    def _alert_subscription(self, short: str, queue_arn: pulumi.Input[str]) -> aws.sns.TopicSubscription:
        return self.child(aws.sns.TopicSubscription, short, topic=self.topic.arn, protocol="sqs", endpoint=queue_arn)

    # --------------------------------------------------------- CDK-style helpers
    def grant_read_table(self, role: RoleLike) -> aws.iam.RolePolicy:
        """Let ``role`` query the telemetry table (for a dashboard API, say), and nothing else.

        ``role``: an ``aws.iam.Role``, a role name or a role ARN. The inline policy is named
        after the role (``<tier>-read-table-<role>``); granting the same role again returns
        the same policy.
        """
        key = ("read-table", grantee_key(role, "grant_read_table"))
        if key not in self._grants:
            self._grants[key] = self._read_table_policy(f"read-table-{key[1]}", role)
        return self._grants[key]  # type: ignore[return-value]

    def grant_subscribe_alerts(self, queue: QueueLike) -> aws.sns.TopicSubscription:
        """Subscribe an SQS queue to the alert topic (the queue's policy must allow SNS).

        ``queue``: an ``aws.sqs.Queue`` or a queue ARN. Subscribing the same queue again
        returns the same subscription.
        """
        key = ("alerts-to", grantee_key(queue, "grant_subscribe_alerts"))
        if key not in self._grants:
            arn = queue.arn if isinstance(queue, aws.sqs.Queue) else queue
            self._grants[key] = self._alert_subscription(f"alerts-to-{key[1]}", arn)
        return self._grants[key]  # type: ignore[return-value]


def rule_sql(topic_filter: str) -> str:
    """The rule's query: every field, plus the device id (the filter's ``+`` level) and the
    broker's timestamp."""
    device_level = topic_filter.split("/").index("+") + 1
    return (f"SELECT *, topic({device_level}) AS deviceId, timestamp() AS brokerTimestamp "
            f"FROM '{topic_filter}'")


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
