"""The dashboard's static server: ``dashboard/`` plus a ``config.json``, on a loopback port.

A standard-library ``ThreadingHTTPServer`` in a daemon thread: the page has no
build step and nothing to compute server-side. ``config.json`` tells the page
where the bridge is and what to subscribe to; the token is not in it: it travels
in the URL fragment ``#token=...`` that ``tiers local`` prints (a fragment is
never sent to a server, so it stays out of access logs).
"""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional

from .processes import LOOPBACK, StartError

DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboard"


class _Handler(SimpleHTTPRequestHandler):
    config_body = b"{}"

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.config_body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(self.config_body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # keep the status line clean
        pass


class DashboardServer:
    """Serve the dashboard on ``127.0.0.1:port``.

    Args:
        config: the JSON object served at ``/config.json``.
        port: the port (default 0: any free port).
        directory: the static files (default: this package's ``dashboard/``).
    """

    def __init__(self, config: dict[str, Any], port: int = 0, directory: Optional[Path] = None) -> None:
        handler = type("DashboardHandler", (_Handler,), {"config_body": json.dumps(config).encode()})
        try:
            self.httpd = ThreadingHTTPServer((LOOPBACK, port),
                                             partial(handler, directory=str(directory or DASHBOARD_DIR)))
        except OSError as exc:
            raise StartError(f"--port-dashboard {port}: cannot listen on {LOOPBACK}:{port} ({exc.strerror}); "
                             "pick another port, or 0 for any free one") from None
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="dashboard-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    def start(self) -> "DashboardServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)


__all__ = ["DASHBOARD_DIR", "DashboardServer"]
