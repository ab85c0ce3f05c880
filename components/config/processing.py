"""Settings of the ProcessingTier (Lambda): its rows of the defaults table."""

from __future__ import annotations

from typing import Any, Mapping

from iot_tiers_policy.decision import RULE_LAMBDA_THRESHOLD_S

from .schema import Setting, int_range, log_retention, matches

T = "processing"

SETTINGS: list[Setting] = [
    Setting(T, "memory_mb", "integer", 256,
            "Memory of the telemetry Lambda function, in MB (CPU scales with it).",
            "a whole number of MB from 128 to 10240", int_range(128, 10240)),
    Setting(T, "timeout_s", "integer", 30,
            "Timeout of one invocation (one SQS batch), in seconds. The queue's visibility "
            "timeout is set to 6x this, as AWS recommends for SQS event sources.",
            f"a whole number of seconds from 1 to {RULE_LAMBDA_THRESHOLD_S - 1}: the decision rule puts work "
            f"that runs {RULE_LAMBDA_THRESHOLD_S} s or longer on EC2", int_range(1, RULE_LAMBDA_THRESHOLD_S - 1)),
    Setting(T, "batch_size", "integer", 100,
            "Readings per Lambda invocation from the SQS queue. Above 10 needs a batching window.",
            "a whole number from 1 to 10000", int_range(1, 10000)),
    Setting(T, "batch_window_s", "integer", 1,
            "Longest wait, in seconds, to fill a batch before invoking the function.",
            "a whole number of seconds from 0 to 300", int_range(0, 300)),
    Setting(T, "provisioned_concurrency", "integer", 0,
            "Provisioned concurrency on the 'live' alias; 0 turns it off (cold starts are "
            "harmless for telemetry, so dev keeps it at 0).",
            "a whole number from 0 to 1000", int_range(0, 1000)),
    Setting(T, "reserved_concurrency", "integer", 10,
            "Reserved concurrency of the function: caps how hard it can hit DynamoDB and "
            "guarantees it that many executions. -1 means unreserved.",
            "-1 (unreserved) or a whole number from 1 to 1000", lambda v: v == -1 or int_range(1, 1000)(v)),
    Setting(T, "max_receive_count", "integer", 5,
            "Deliveries of one message before SQS moves it to the dead-letter queue.",
            "a whole number from 1 to 1000", int_range(1, 1000)),
    Setting(T, "alert_threshold_celsius", "integer", 80,
            "Temperature, in whole degrees Celsius, above which a reading publishes an SNS alert.",
            "a whole number from -40 to 125 (the accepted reading range)", int_range(-40, 125)),
    Setting(T, "ttl_days", "integer", 90,
            "Days a reading is kept in the table before its TTL expires it.",
            "a whole number of days from 1 to 3650", int_range(1, 3650)),
    Setting(T, "point_in_time_recovery", "boolean", False,
            "Point-in-time recovery on the telemetry table (on in prod).", "true or false",
            lambda v: isinstance(v, bool)),
    Setting(T, "deletion_protection", "boolean", False,
            "Deletion protection on the telemetry table (on in prod).", "true or false",
            lambda v: isinstance(v, bool)),
    Setting(T, "topic_filter", "string", "devices/+/telemetry",
            "MQTT topic filter the IoT rule selects telemetry from; the device id is the "
            "segment the '+' matches.",
            "an MQTT filter with exactly one '+' level and no '#', e.g. devices/+/telemetry",
            lambda v: isinstance(v, str) and v.split("/").count("+") == 1 and "#" not in v),
    Setting(T, "alarm_dlq_depth", "integer", 1,
            "Messages in the dead-letter queue that raise the DLQ alarm.",
            "a whole number from 1 to 100000", int_range(1, 100000)),
    Setting(T, "alert_email", "string", "",
            "Optional e-mail address subscribed to the alert topic and the ops (alarm) topic ('' for none).",
            "an e-mail address or ''", lambda v: v == "" or matches(r"[^@\s]+@[^@\s]+\.[^@\s]+")(v)),
    Setting(T, "alerts_to_mqtt", "boolean", True,
            "Relay every alert to MQTT (<alertTopicPrefix><deviceId>) with a small Lambda subscribed to the "
            "alert topic, so dashboards receive alerts through the bridge.", "true or false",
            lambda v: isinstance(v, bool)),
    Setting(T, "alert_topic_prefix", "string", "alerts/",
            "MQTT topic prefix of relayed alerts; the device id is the next level. The RealtimeTier's "
            "alert filters must cover it (realtimeAlertFilters) for dashboards to subscribe.",
            "levels ending in '/', without '+' or '#', not starting with '$' or '/', e.g. alerts/",
            matches(r"(?!\$)[^/+#\s][^+#\s]*/")),
    log_retention(T),
]


def cross_checks(args: Mapping[str, Any]) -> list[str]:
    """Rules that span several processing arguments."""
    problems = []
    if args["batch_size"] > 10 and args["batch_window_s"] < 1:
        problems.append(
            f"batch_size={args['batch_size']} needs batch_window_s >= 1: SQS event sources "
            "allow more than 10 records per batch only with a batching window")
    reserved = args["reserved_concurrency"]
    if args["provisioned_concurrency"] and reserved != -1 and args["provisioned_concurrency"] > reserved:
        problems.append(
            f"provisioned_concurrency={args['provisioned_concurrency']} exceeds "
            f"reserved_concurrency={reserved}: provisioned executions come out of the reserved ones")
    return problems
