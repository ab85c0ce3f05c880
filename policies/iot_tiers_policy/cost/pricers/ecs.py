"""ECS on Fargate: task vCPU and memory by OS and architecture (Linux x86_64 / arm64, Windows),
Spot share, ephemeral storage, public IPs; and, for the bridge, what IoT Core bills it."""

from __future__ import annotations

from ..._util import is_unknown
from ...graph import Node
from .. import formulas as f
from .. import telemetry as tm
from ..flows import TASK_DEFINITION, service_tasks
from ..model import Priced, Unpriced
from ..registry import Context, free, number, pricer
from ..usage import UsageKey

free("priced on the services that run it", TASK_DEFINITION, "aws:ecs/capacityProvider:CapacityProvider",
     "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
free("an ECS cluster is free (Container Insights metrics, when enabled, are not priced)", "aws:ecs/cluster:Cluster")


def _os(td: Node) -> str:
    family = (td.props.get("runtimePlatform") or {}).get("operatingSystemFamily") or "LINUX"
    if is_unknown(family):
        raise Unpriced("runtimePlatform.operatingSystemFamily is not known until the update")
    return "windows" if str(family).upper().startswith("WINDOWS") else "linux"


@pricer("aws:ecs/service:Service", usage=[
    UsageKey("tasks", "Tasks running on average (default: desiredCount, raised to the auto-scaling minimum)."),
])
def service(node: Node, ctx: Context) -> Priced:
    p = node.props
    strategies = p.get("capacityProviderStrategies") or []
    fargate = p.get("launchType") == "FARGATE" or any(
        str(s.get("capacityProvider", "")).startswith("FARGATE") for s in strategies if isinstance(s, dict))
    if not fargate:
        return Priced([], {"launch_type": p.get("launchType") or "EC2"},
                      note="an ECS service on EC2 capacity costs its instances, priced there")
    tds = ctx.view.deps(node, "taskDefinition", types=[TASK_DEFINITION])
    if not tds:
        raise Unpriced("its task definition is not in the stack, so its size is unknown")
    td = tds[0]
    vcpu = number(td, "cpu", 256) / 1024
    mem = number(td, "memory", 512) / 1024
    arch = ((td.props.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64")
    os = _os(td)
    eph = number(td, "ephemeralStorage.sizeInGib", 20, value=(td.props.get("ephemeralStorage") or {}).get("sizeInGib"))
    tasks, lo, hi = service_tasks(ctx.view, node)
    tasks = ctx.use("tasks", tasks)
    weights = {s.get("capacityProvider"): float(s.get("weight") or 0) for s in strategies if isinstance(s, dict)}
    spot = weights.get("FARGATE_SPOT", 0) / sum(weights.values()) if sum(weights.values()) else 0
    public = bool((p.get("networkConfiguration") or {}).get("assignPublicIp"))
    kw = dict(vcpu=vcpu, memory_gb=mem, arch=str(arch).lower(), spot_share=spot, ephemeral_gb=eph,
              public_ip=public, os=os)
    items = f.fargate_costs(ctx.prices, tasks=tasks, **kw)
    items[0].note = f"{tasks:g} task(s) always on"
    if hi is not None and hi > tasks and not ctx.has_usage("tasks"):
        peak = f.total(f.fargate_costs(ctx.prices, tasks=hi, **kw))
        items[0].note += f"; auto-scales to {hi:g}: up to ${peak:,.2f} if it stayed there all month"
    drivers = {"tasks": tasks, "vcpu": vcpu, "memory_gb": mem, "arch": f._arch(str(arch)), "os": os,
               "spot_share": round(spot, 3)}
    bridge = ctx.flows.bridge_of(node)
    if bridge is not None:
        start = ctx.flows.iot_already_billed(f"bridge:{node.urn}")
        delivered = f.iot_messaging_costs(ctx.prices, messages=bridge.telemetry_deliveries,
                                          message_bytes=tm.telemetry_message_bytes(ctx.traffic.payload_bytes),
                                          what="telemetry delivered to the bridge's subscriptions", already_billed=start)
        delivered[0].note = ("dashboards x messages a minute, at most every message once per task: "
                             f"{ctx.traffic.dashboard_connections:,} x {ctx.traffic.dashboard_messages_per_minute:,}/min")
        start += delivered[0].quantity
        if bridge.alert_deliveries:
            delivered += f.iot_messaging_costs(ctx.prices, messages=bridge.alert_deliveries,
                                               message_bytes=tm.alert_message_bytes(),
                                               what="relayed alerts delivered to the bridge", already_billed=start)
            delivered[-1].note = f"every alert the relay publishes, once per task ({tasks:g})"
            start += delivered[-1].quantity
        acks = f.iot_messaging_costs(ctx.prices, messages=bridge.deliveries, message_bytes=1,
                                     what="the bridge's PUBACKs (QoS 1)", already_billed=start)
        items += delivered + acks
        items += f.iot_connectivity_costs(ctx.prices, clients=tasks, what=f"the bridge's MQTT connections ({tasks:g})")
        drivers["iot_deliveries"] = round(bridge.deliveries)
    return Priced(items, drivers)
