"""SQS: the requests a queue sees (sends from IoT rules; receives, deletes and idle polling
of a Lambda event source), per 64 KB chunk, standard or FIFO."""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from .. import telemetry as tm
from ..model import Priced
from ..registry import Context, free, pricer
from ..usage import UsageKey
from .lambda_ import invocation_ms

free("a queue policy is free", "aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/redrivePolicy:RedrivePolicy",
     "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")


@pricer("aws:sqs/queue:Queue", usage=[
    UsageKey("monthly_requests", "API requests a month, each 64 KB chunk counted (default: the traffic model's)."),
])
def queue(node: Node, ctx: Context) -> Priced:
    fifo = bool(node.props.get("fifoQueue"))
    size = tm.queued_message_bytes(ctx.traffic.payload_bytes)
    drain = ctx.flows.drains.get(node.urn)
    fed = ctx.flows.queue_messages.get(node.urn, 0.0)
    note, drivers = "", {"fifo": fifo}
    if drain is not None:
        busy = drain.invocations / ctx.flows.seconds() * invocation_ms(ctx, drain.per_invocation) / 1000
        req = f.sqs_lambda_requests(drain.messages, size, drain.per_invocation, busy_pollers=busy)
        requests = sum(req.values())
        what = (f"requests: {req['sends']:,.0f} sends, {req['receives']:,.0f} receives, {req['deletes']:,.0f} "
                f"deletes, {req['idle_receives']:,.0f} idle long polls")
        note = (f"{drain.per_invocation:.3g} messages per batch: {-(-drain.per_invocation // 10):.0f} "
                "receive(s) and delete(s) each; 5 pollers long-poll while idle")
        drivers.update(messages=round(drain.messages), messages_per_batch=round(drain.per_invocation, 2))
    elif fed:
        requests, what = fed * f.chunks(size, f.SQS_CHUNK_BYTES), "sends (nothing in the stack drains this queue)"
        drivers.update(messages=round(fed))
    else:
        requests, what = 0.0, "requests (no modelled traffic)"
        drivers.update(messages=0)
    if ctx.has_usage("monthly_requests"):
        requests, what, note = ctx.use("monthly_requests", requests), "requests (usage file)", ""
    else:
        ctx.use("monthly_requests", requests)
    items = f.sqs_costs(ctx.prices, requests=requests, fifo=fifo, what=what)
    items[0].note = note
    drivers["requests"] = round(requests)
    if not requests:
        return Priced(items, drivers, usage_based=True,
                      note="no traffic reaches this queue in the model: set monthly_requests in the usage file")
    return Priced(items, drivers)
