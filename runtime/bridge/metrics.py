"""Counters and their CloudWatch Embedded Metric Format (EMF) lines on stdout.

awslogs ships stdout to CloudWatch Logs, which extracts the metrics: no API calls, no extra
IAM permission, nothing on the request path. One line per interval and one at shutdown::

    {"_aws": {"Timestamp": 1700000000000, "CloudWatchMetrics": [{"Namespace": "IotTiers/Bridge",
      "Dimensions": [["ServiceName"]], "Metrics": [{"Name": "ActiveConnections", "Unit": "Count"}, ...]}]},
     "ServiceName": "realtime-bridge", "ActiveConnections": 42, "DroppedSlowClients": 0,
     "MessagesDelivered": 12000, "MessagesReceived": 400, "BrokerConnected": 1, "ClientId": "..."}

``ActiveConnections`` is a gauge (open dashboard connections of this task at that moment);
the RealtimeTier's target-tracking policy uses it with statistic ``Average`` (so the target
is connections per task). The other metrics are deltas since the previous line (use Sum).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from typing import Callable, TextIO

METRIC_ACTIVE_CONNECTIONS = "ActiveConnections"
METRIC_DROPPED_SLOW_CLIENTS = "DroppedSlowClients"
METRIC_MESSAGES_DELIVERED = "MessagesDelivered"
METRIC_MESSAGES_RECEIVED = "MessagesReceived"
METRIC_BROKER_CONNECTED = "BrokerConnected"
DIMENSION_SERVICE_NAME = "ServiceName"


@dataclass
class Counters:
    """Monotonic totals since start; the EMF writer reports their per-interval deltas."""

    messages_received: int = 0
    messages_delivered: int = 0
    dropped_slow_clients: int = 0
    rejected_auth: int = 0


class EmfWriter:
    """Writes one EMF JSON line per call to :meth:`emit`.

    Args:
        namespace: CloudWatch namespace (``BRIDGE_METRIC_NAMESPACE``, default ``IotTiers/Bridge``).
        service_name: value of the ``ServiceName`` dimension (``BRIDGE_SERVICE_NAME``).
        counters: the totals to report as deltas.
        gauges: returns ``(active_connections, broker_connected)`` at emit time.
        properties: extra non-dimension keys added to every line (e.g. the client id).
        stream: where lines go (default ``sys.stdout``).
    """

    def __init__(
        self,
        namespace: str,
        service_name: str,
        counters: Counters,
        gauges: Callable[[], tuple[int, bool]],
        properties: dict | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self._namespace = namespace
        self._service_name = service_name
        self._counters = counters
        self._gauges = gauges
        self._properties = dict(properties or {})
        self._stream = stream
        self._last = Counters()

    def line(self) -> dict:
        """The next EMF document (advances the delta baseline)."""
        c, last = self._counters, self._last
        active, broker_connected = self._gauges()
        doc = {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": self._namespace,
                        "Dimensions": [[DIMENSION_SERVICE_NAME]],
                        "Metrics": [
                            {"Name": METRIC_ACTIVE_CONNECTIONS, "Unit": "Count"},
                            {"Name": METRIC_DROPPED_SLOW_CLIENTS, "Unit": "Count"},
                            {"Name": METRIC_MESSAGES_DELIVERED, "Unit": "Count"},
                            {"Name": METRIC_MESSAGES_RECEIVED, "Unit": "Count"},
                            {"Name": METRIC_BROKER_CONNECTED, "Unit": "None"},
                        ],
                    }
                ],
            },
            **self._properties,
            DIMENSION_SERVICE_NAME: self._service_name,
            METRIC_ACTIVE_CONNECTIONS: active,
            METRIC_DROPPED_SLOW_CLIENTS: c.dropped_slow_clients - last.dropped_slow_clients,
            METRIC_MESSAGES_DELIVERED: c.messages_delivered - last.messages_delivered,
            METRIC_MESSAGES_RECEIVED: c.messages_received - last.messages_received,
            METRIC_BROKER_CONNECTED: 1 if broker_connected else 0,
        }
        self._last = Counters(**vars(c))
        return doc

    def emit(self) -> None:
        """Write one line and flush (stdout may be a pipe, which Python block-buffers)."""
        stream = self._stream or sys.stdout
        stream.write(json.dumps(self.line(), separators=(",", ":")) + "\n")
        stream.flush()
