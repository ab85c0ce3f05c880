"""iot-tiers: an IoT backend on AWS in three tiers, each on the compute service it belongs on.

The tiers are Pulumi ComponentResources, importable from here::

    from iot_tiers import Network, ProcessingTier, RealtimeTier, HeavyComputeTier

Rooms of this package:

- :mod:`iot_tiers.components`: the tiers, the network and the settings table;
- :mod:`iot_tiers.cli`: the ``tiers`` command line;
- :mod:`iot_tiers.offline`: the capturing mock harness, the analyzer-protocol client
  and the preflight behind ``tiers preview`` / ``tiers cost``;
- :mod:`iot_tiers.local`: ``tiers local``, the whole backend on one machine.

The code that runs inside the tiers is the separate root :mod:`iot_tiers_runtime`, and
the CrossGuard pack is :mod:`iot_tiers_policy` (published alone).
"""

from .components import (
    ConfigError,
    HeavyComputeTier,
    HeavyComputeTierArgs,
    Network,
    NetworkArgs,
    ProcessingTier,
    ProcessingTierArgs,
    RealtimeTier,
    RealtimeTierArgs,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "HeavyComputeTier",
    "HeavyComputeTierArgs",
    "Network",
    "NetworkArgs",
    "ProcessingTier",
    "ProcessingTierArgs",
    "RealtimeTier",
    "RealtimeTierArgs",
    "__version__",
]
