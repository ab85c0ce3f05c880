"""iot-tiers: an IoT backend on AWS in three tiers, each on the compute service it belongs on.

The Pulumi components live in :mod:`components`, the code that runs inside them in
:mod:`runtime`, the CrossGuard pack in :mod:`policies`. This package holds the
offline tooling around them: the capturing mock harness, the ``tiers`` CLI.
"""

__version__ = "0.1.0"
