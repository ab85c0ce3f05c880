"""Lambda: requests, GB-seconds (x86_64 or arm64), provisioned concurrency, log ingestion,
and the alert relay's publishes to IoT Core."""

from __future__ import annotations

from ..._util import is_unknown
from ...graph import Node
from .. import formulas as f
from .. import telemetry as tm
from ..model import Priced, Unpriced
from ..registry import Context, free, number, pricer
from ..usage import UsageKey
from ..view import environment

PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"

free("priced on the function it points at", "aws:lambda/alias:Alias", "aws:lambda/permission:Permission",
     "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", PROVISIONED,
     "aws:lambda/layerVersion:LayerVersion", "aws:lambda/functionUrl:FunctionUrl")
free("an event source mapping is free: its polling is priced on the queue, its invocations on the function",
     "aws:lambda/eventSourceMapping:EventSourceMapping")


def provisioned_concurrency(ctx: Context, fn: Node) -> int:
    total = 0
    for pc in ctx.view.of_type(PROVISIONED):
        if any(ctx.view.function_of(d) is fn for d in ctx.view.deps(pc)):
            total += int(number(pc, "provisionedConcurrentExecutions", 0))
    return total


def invocation_ms(ctx: Context, per_invocation: float) -> float:
    t = ctx.traffic
    return f.lambda_invocation_ms(t.lambda_overhead_ms, t.lambda_ms_per_message, per_invocation)


@pricer("aws:lambda/function:Function", usage=[
    UsageKey("monthly_requests", "Invocations a month (default: what the traffic model routes to the function)."),
    UsageKey("request_duration_ms", "Average duration of an invocation in ms (default: overhead + ms per message x "
                                    "messages per invocation)."),
])
def function(node: Node, ctx: Context) -> Priced:
    inv = ctx.flows.invoked.get(node.urn)
    memory = int(number(node, "memorySize", 128))
    archs = node.props.get("architectures") or ["x86_64"]
    if is_unknown(archs) or not isinstance(archs, list) or not archs or is_unknown(archs[0]):
        raise Unpriced("architectures is not known until the update (a first preview)")
    per = inv.per_invocation if inv else 1.0
    invocations = ctx.use("monthly_requests", inv.invocations if inv else 0.0)
    duration = ctx.use("request_duration_ms", invocation_ms(ctx, per))
    provisioned = provisioned_concurrency(ctx, node)
    items = f.lambda_costs(ctx.prices, invocations=invocations, duration_ms=duration, memory_mb=memory,
                           arch=archs[0], provisioned=provisioned)
    if inv and not ctx.has_usage("monthly_requests"):
        items[0].note = "; ".join(inv.how)
    elif ctx.has_usage("monthly_requests"):
        items[0].note = "monthly_requests from the usage file"
    if invocations:
        items += f.cloudwatch_costs(ctx.prices, log_gb=invocations * ctx.traffic.log_bytes_per_invocation / 1e9)
    if inv and inv.alerts and environment(node).get("IOT_DATA_ENDPOINT") is not None:
        items += f.iot_messaging_costs(ctx.prices, messages=inv.alerts, message_bytes=len(tm.ALERT_PAYLOAD),
                                       what="alerts republished to IoT Core over HTTPS",
                                       already_billed=ctx.flows.iot_already_billed("relay"))
    drivers = {"memory_mb": memory, "arch": f._arch(archs[0]), "invocations": round(invocations),
               "messages_per_invocation": round(per, 2), "duration_ms": round(duration, 1),
               "provisioned_concurrency": provisioned}
    if not invocations and not provisioned:
        return Priced(items, drivers, usage_based=True,
                      note="no traffic reaches this function in the model: set monthly_requests in the usage file")
    return Priced(items, drivers)
