"""EBS: volumes by type (gp2, gp3 with IOPS and throughput above baseline, io1, io2 with its IOPS
tiers, st1, sc1, magnetic) and snapshots."""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from ..model import Priced, Unpriced
from ..registry import Context, number, pricer, text
from ..usage import UsageKey

VOLUME = "aws:ebs/volume:Volume"


@pricer(VOLUME, usage=[
    UsageKey("monthly_standard_io_requests", "I/O requests a month on a magnetic (standard) volume (default: 0)."),
])
def volume(node: Node, ctx: Context) -> Priced:
    size = number(node, "size")
    if size is None:
        raise Unpriced("no size (a volume created from a snapshot takes its size, which is not in the stack)")
    vt = text(node, "type", "gp2")  # the provider's default
    items = f.ebs_costs(ctx.prices, size_gb=size, volume_type=vt, iops=number(node, "iops"),
                        throughput=number(node, "throughput"), io_requests=ctx.use("monthly_standard_io_requests", 0))
    return Priced(items, {"size_gb": size, "volume_type": vt, "iops": number(node, "iops"),
                          "throughput": number(node, "throughput")})


@pricer("aws:ebs/snapshot:Snapshot", usage=[
    UsageKey("storage_gb", "Snapshot data stored, GB (default: the whole size of its volume, an upper bound)."),
])
def snapshot(node: Node, ctx: Context) -> Priced:
    vols = ctx.view.deps(node, "volumeId", types=[VOLUME])
    size = number(vols[0], "size") if vols else None
    gb = ctx.use("storage_gb", size)
    if gb is None:
        raise Unpriced("its volume is not in the stack, so its size is unknown (set storage_gb in the usage file)")
    return Priced(f.snapshot_costs(ctx.prices, gb_months=gb, what="snapshot storage"), {"storage_gb": gb})
