"""The three tiers of an iot-tiers backend, as Pulumi ComponentResources.

- :class:`ProcessingTier`: event-driven telemetry processing on Lambda.
- :class:`RealtimeTier`: the always-on MQTT -> WebSocket bridge on ECS Fargate.
- :class:`HeavyComputeTier`: brokers, time-series databases, inference on EC2.
"""

from .config import ConfigError
from .processing import ProcessingTier, ProcessingTierArgs
from .network import Network, NetworkArgs
from .realtime import RealtimeTier, RealtimeTierArgs
from .heavy import HeavyComputeTier, HeavyComputeTierArgs

__all__ = ["ConfigError", "ProcessingTier", "ProcessingTierArgs", "Network", "NetworkArgs",
           "RealtimeTier", "RealtimeTierArgs", "HeavyComputeTier", "HeavyComputeTierArgs"]
