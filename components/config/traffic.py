"""Traffic assumptions: the rows of the defaults table that ``tiers cost`` prices a stack for.

No component reads these; they describe the load the stack is sized for, so they
live beside the sizing they justify (``iot-tiers:trafficDevices: 5000`` next to
``iot-tiers:processingBatchSize: 500`` in Pulumi.prod.yaml). The names, defaults
and ranges come from the cost model (``policies/iot_tiers_policy/cost/traffic.py``),
which the budget policy in the published pack also reads: one definition, so the
stack file and the policy config cannot disagree on what a key means.
"""

from __future__ import annotations

from iot_tiers_policy.cost.traffic import FIELDS

from .schema import Setting

T = "traffic"

SETTINGS: list[Setting] = [
    Setting(T, f.arg, f.kind, int(f.default), f.description, f.allowed, f.check)
    for f in FIELDS
]

assert all(s.key == f.key for s, f in zip(SETTINGS, FIELDS)), "traffic keys must be trafficXxx"
