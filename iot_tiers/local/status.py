"""The status line of a running ``tiers local``.

On a terminal it is one line rewritten in place about once a second; when stdout
is a pipe or a file (CI, a test, ``| tee``), rewriting would leave a mess of
carriage returns, so a full line is printed every ``interval`` seconds instead.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Optional, TextIO


@dataclass
class Snapshot:
    """What the status line shows.

    Attributes:
        elapsed_s: seconds since the simulator started.
        devices: simulated devices.
        rate: messages per second published recently (all devices).
        published: readings published.
        written: reading items in the table.
        rejects: messages on the rejects queue.
        alerts: alerts relayed to MQTT.
        in_flight: readings at the rule or on the telemetry queue.
        ws_clients: WebSocket clients of the bridge (None when /health did not answer).
    """

    elapsed_s: float
    devices: int
    rate: float
    published: int
    written: int
    rejects: int
    alerts: int
    in_flight: int
    ws_clients: Optional[int]


def render(s: Snapshot) -> str:
    ws = "?" if s.ws_clients is None else str(s.ws_clients)
    return (f"[{s.elapsed_s:5.0f}s] devices {s.devices} | {s.rate:6.1f} msg/s | published {s.published} | "
            f"written {s.written} | rejects {s.rejects} | alerts {s.alerts} | in flight {s.in_flight} | "
            f"ws clients {ws}")


def bridge_clients(health_url: str, timeout: float = 0.5) -> Optional[int]:
    """The ``clients`` count from the bridge's ``GET /health``, or None if it does not answer."""
    try:
        with urllib.request.urlopen(health_url, timeout=timeout) as response:
            body = json.loads(response.read().decode())
    except (OSError, ValueError):
        return None
    clients = body.get("clients") if isinstance(body, dict) else None
    return clients if isinstance(clients, int) else None


class StatusWriter:
    """Shows snapshots: rewritten in place on a TTY, else one line every ``interval`` seconds.

    Args:
        stream: where to write (default ``sys.stdout``).
        tty: force the mode (default: ``stream.isatty()``).
        interval: seconds between lines when not a TTY (default 5).
    """

    def __init__(self, stream: Optional[TextIO] = None, tty: Optional[bool] = None, interval: float = 5.0) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = interval
        self._last_line_at = 0.0
        self._shown = False

    def show(self, snapshot: Snapshot, force: bool = False) -> None:
        line = render(snapshot)
        if self.tty:
            # A line wider than the terminal wraps, and \r then rewrites only its last row.
            width = shutil.get_terminal_size((120, 24)).columns - 1
            self.stream.write("\r\x1b[2K" + line[:max(20, width)])
            self._shown = True
        else:
            now = time.monotonic()
            if not force and now - self._last_line_at < self.interval:
                return
            self._last_line_at = now
            self.stream.write(line + "\n")
        self.stream.flush()

    def print(self, text: str) -> None:
        """Print ``text`` on its own line(s), keeping the status line intact on a TTY."""
        self.finish()
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the rewritten line (so later output starts on a fresh line)."""
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


__all__ = ["Snapshot", "StatusWriter", "bridge_clients", "render"]
