"""iot-tiers: an IoT backend on AWS in three tiers, each on the compute service it belongs on.

The Pulumi components live in :mod:`components`, the code that runs inside them in
:mod:`runtime`, the CrossGuard pack in :mod:`policies`. This package holds the
offline tooling around them: the capturing mock harness, the ``tiers`` CLI.
"""

__version__ = "0.1.0"

#: The tiers, importable as ``from iot_tiers import ProcessingTier`` (lazily, so the
#: CLI's start-up does not pay for pulumi_aws unless a program asks for a tier).
_TIERS = {
    "ProcessingTier": "components.processing",
    "ProcessingTierArgs": "components.processing",
    "RealtimeTier": "components.realtime",
    "RealtimeTierArgs": "components.realtime",
    "HeavyComputeTier": "components.heavy",
    "HeavyComputeTierArgs": "components.heavy",
    "ConfigError": "components.config",
}


def __getattr__(name: str):
    module = _TIERS.get(name)
    if module is None:
        raise AttributeError(f"module 'iot_tiers' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
