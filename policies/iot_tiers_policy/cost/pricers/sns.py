"""SNS: publishes (the handler's alerts) and e-mail deliveries; Lambda and SQS deliveries are free."""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from .. import telemetry as tm
from ..model import Priced
from ..registry import Context, free, pricer
from ..usage import UsageKey

free("its deliveries are priced on the topic (e-mail) or free (Lambda, SQS)",
     "aws:sns/topicSubscription:TopicSubscription")
free("a topic policy is free", "aws:sns/topicPolicy:TopicPolicy")


@pricer("aws:sns/topic:Topic", usage=[
    UsageKey("monthly_requests", "Publishes a month (default: the handler's alerts)."),
])
def topic(node: Node, ctx: Context) -> Priced:
    publishes = ctx.use("monthly_requests", ctx.flows.alert_topics.get(node.urn, 0.0))
    emails = publishes * ctx.flows.emails.get(node.urn, 0)
    items = f.sns_costs(ctx.prices, publishes=publishes, payload_bytes=len(tm.ALERT_PAYLOAD), emails=emails)
    drivers = {"publishes": round(publishes), "email_subscriptions": ctx.flows.emails.get(node.urn, 0)}
    if not publishes:
        return Priced(items, drivers, usage_based=True,
                      note="no traffic reaches this topic in the model: set monthly_requests in the usage file")
    return Priced(items, drivers)
