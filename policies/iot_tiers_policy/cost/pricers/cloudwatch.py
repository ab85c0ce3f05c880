"""CloudWatch: alarms (per metric they evaluate) and log groups (usage-based storage; the
ingestion of Lambda logs is priced on each function)."""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from ..model import Priced
from ..registry import Context, free, pricer
from ..usage import UsageKey

free("a metric filter, log stream or subscription filter is free", "aws:cloudwatch/logMetricFilter:LogMetricFilter",
     "aws:cloudwatch/logStream:LogStream", "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
     "aws:cloudwatch/logResourcePolicy:LogResourcePolicy")


@pricer("aws:cloudwatch/metricAlarm:MetricAlarm")
def alarm(node: Node, ctx: Context) -> Priced:
    queries = node.props.get("metricQueries") or []
    metrics = max(1, sum(1 for q in queries if isinstance(q, dict) and q.get("metric"))) if queries else 1
    items = f.cloudwatch_costs(ctx.prices, alarms=metrics)
    items[0].item = f"alarm on {metrics} metric(s)"
    return Priced(items, {"metrics": metrics})


@pricer("aws:cloudwatch/logGroup:LogGroup", usage=[
    UsageKey("storage_gb", "Log data kept, GB (default: 0; depends on ingestion and retentionInDays)."),
    UsageKey("monthly_data_ingested_gb", "GB a month written by other than the stack's Lambda functions, whose "
                                         "ingestion is priced on them (default: 0)."),
])
def log_group(node: Node, ctx: Context) -> Priced:
    stored = ctx.use("storage_gb", 0)
    ingested = ctx.use("monthly_data_ingested_gb", 0)
    items = f.storage_costs(ctx.prices, service="CloudWatch", key="cloudwatch.logs.storage_gb_month", gb=stored,
                            what="log storage")
    if ingested:
        items += f.cloudwatch_costs(ctx.prices, log_gb=ingested)
    drivers = {"storage_gb": stored, "ingested_gb": ingested, "retention_days": node.props.get("retentionInDays")}
    return Priced(items, drivers, usage_based=not (stored or ingested),
                  note="cost depends on usage: $0.03 per GB-month stored (storage_gb in the usage file)")
