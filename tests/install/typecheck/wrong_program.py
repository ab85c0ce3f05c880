"""A team program with the mistakes a type checker must catch before any preview runs.

Every line ending in an expect-error comment must be reported; no other line may be.
"""

import pulumi

from iot_tiers import HeavyComputeTier, Network, ProcessingTier, RealtimeTier

ProcessingTier("typo", {"memroy_mb": 512})  # expect-error: a misspelt argument
ProcessingTier("wrong-type", {"memory_mb": "512"})  # expect-error: a string where an int goes
HeavyComputeTier("no-subnets", {"role": "batch", "vpc_id": "vpc-1"})  # expect-error: required wiring left out
RealtimeTier("no-vpc", {"private_subnet_ids": ["subnet-1"]})  # expect-error: vpc_id is required
net = Network("net")
pulumi.export("vpc", net.placement()["vpc"])  # expect-error: no such key
pulumi.export("table", ProcessingTier("p").table_nme)  # expect-error: no such output
ProcessingTier("late", {"provisioned_concurrency": pulumi.Output.from_input(2)})  # expect-error: branches on it
ProcessingTier("fine", {"memory_mb": pulumi.Output.from_input(512)})
