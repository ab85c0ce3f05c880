"""IoT Core: the fleet's connections and messages, and each topic rule's executions.

The fleet (connection-minutes, the devices' publishes) is billed once, on the first
enabled rule: devices are not resources of the stack, and a stack with no rule is
taken to have no devices publishing to it. A message is metered on its topic plus
payload in 5 KB steps. The bridge's deliveries are priced on its ECS service and the
relay's publishes on its function (see :mod:`..flows`).
"""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from .. import telemetry as tm
from ..flows import RULE_ACTIONS
from ..model import Priced
from ..registry import Context, pricer
from ..usage import UsageKey


@pricer("aws:iot/topicRule:TopicRule", usage=[
    UsageKey("monthly_messages", "Messages a month the rule's SQL selects (default: every telemetry message)."),
])
def topic_rule(node: Node, ctx: Context) -> Priced:
    t = ctx.traffic
    if node.props.get("enabled", True) is False:
        return Priced([], {"enabled": False}, note="disabled: never triggered")
    messages = ctx.flows.rule_messages.get(node.urn, t.messages_per_month)
    messages = ctx.use("monthly_messages", messages)
    size = tm.telemetry_message_bytes(t.payload_bytes)
    meters = f.chunks(size, f.IOT_METER_BYTES)
    actions = 0
    for action in RULE_ACTIONS:
        value = node.props.get(action)
        if value:
            actions += len(value) if isinstance(value, list) else 1
    items = [f.LineItem("IoT Core", "rule triggered by every message", messages * meters, "rules triggered",
                        ctx.prices.cost("iot.rules_triggered", messages * meters), "iot.rules_triggered")]
    if actions:
        items.append(f.LineItem("IoT Core", f"{actions} action(s) per message", messages * actions * meters,
                                "actions", ctx.prices.cost("iot.actions", messages * actions * meters), "iot.actions"))
    drivers = {"messages": round(messages), "actions": actions, "meters_per_message": meters}
    if ctx.flows.rules and ctx.flows.rules[0].urn == node.urn:
        items += f.iot_connectivity_costs(ctx.prices, clients=t.devices, connected_fraction=t.connected_fraction,
                                          what=f"connectivity ({t.devices:,} devices, {t.connected_percent}% connected)")
        items += f.iot_messaging_costs(ctx.prices, messages=t.messages_per_month, message_bytes=size,
                                       what="device publishes, topic + payload",
                                       already_billed=ctx.flows.iot_already_billed("devices"))
        items[-1].note = f"{len(tm.TELEMETRY_TOPIC)} B topic + {t.payload_bytes} B payload"
        drivers.update(devices=t.devices, payload_bytes=t.payload_bytes)
    return Priced(items, drivers)
