"""A ProcessingTier-shaped set of resources, as written with plain pulumi_aws by a team:
IoT rule -> SQS queue -> event source mapping -> alias -> function -> table + topic,
and an alert relay subscribed to the topic. Every edge is a property dependency."""

from __future__ import annotations

from .pricer_support import view

RULE, QUEUE, ESM = "aws:iot/topicRule:TopicRule", "aws:sqs/queue:Queue", "aws:lambda/eventSourceMapping:EventSourceMapping"
ALIAS, FN = "aws:lambda/alias:Alias", "aws:lambda/function:Function"
TABLE, TOPIC, SUB = "aws:dynamodb/table:Table", "aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription"


def processing(*, batch: int = 100, window: float = 1, memory: int = 256, arch: str = "arm64", ttl: str = "90",
               relay: bool = True, emails: int = 0, table: dict = None, payload_topic_rule: dict = None):
    out = [
        view(RULE, "rule", {"enabled": True, "sql": "SELECT * FROM 'devices/+/telemetry'",
                            "sqs": [{"queueUrl": "https://sqs/queue"}], **(payload_topic_rule or {})},
             deps={"sqs": [(QUEUE, "queue")]}),
        view(QUEUE, "queue", {}),
        view(ESM, "event-source", {"batchSize": batch, "maximumBatchingWindowInSeconds": window},
             deps={"eventSourceArn": [(QUEUE, "queue")], "functionName": [(ALIAS, "alias")]}),
        view(ALIAS, "alias", {"name": "live"}, deps={"functionName": [(FN, "function")]}),
        view(FN, "function", {"memorySize": memory, "architectures": [arch],
                              "environment": {"variables": {"TABLE_NAME": "t", "ALERT_TOPIC_ARN": "a", "TTL_DAYS": ttl}}},
             deps={"environment": [(TABLE, "table"), (TOPIC, "topic")]}),
        view(TABLE, "table", table or {"billingMode": "PAY_PER_REQUEST"}),
        view(TOPIC, "topic", {}),
    ]
    if relay:
        out += [view(FN, "relay", {"memorySize": 128, "architectures": ["arm64"],
                                   "environment": {"variables": {"IOT_DATA_ENDPOINT": "https://x-ats.iot.us-east-1.amazonaws.com"}}}),
                view(SUB, "relay-subscription", {"protocol": "lambda"},
                     deps={"topic": [(TOPIC, "topic")], "endpoint": [(FN, "relay")]})]
    for i in range(emails):
        out.append(view(SUB, f"email-{i}", {"protocol": "email", "endpoint": "ops@example.com"},
                        deps={"topic": [(TOPIC, "topic")]}))
    return out
