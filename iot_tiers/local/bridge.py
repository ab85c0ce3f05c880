"""The realtime tier, locally: ``python -m iot_tiers_runtime.bridge`` against mosquitto, and its tokens.

The bridge runs exactly as in its container: its own process, configured through
``MQTT_BROKER_URL``, ``PORT`` and ``BRIDGE_JWT_SECRET`` (a fresh random secret per
run). :func:`mint_token` signs the dashboard token ``tiers local`` prints: HS256,
claims ``topics`` (the telemetry filter and ``alerts/#``) and ``exp``.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Sequence

from .processes import LOOPBACK, Child, StartError, Workdir, free_port, http_ok, start

#: A local run should stop promptly; the cloud default drain (3 s) suits rolling deploys.
LOCAL_DRAIN_S = "0.5"


@dataclass
class Bridge:
    """A running bridge."""

    child: Child
    port: int
    secret: str

    @property
    def ws_url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}/"

    @property
    def health_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/health"


def new_secret() -> str:
    """A random HS256 secret (256 bits), new for every run."""
    return secrets.token_urlsafe(32)


def mint_token(secret: str, topics: Sequence[str], ttl_s: float) -> str:
    """An HS256 dashboard token for ``topics``, valid ``ttl_s`` seconds from now."""
    import jwt

    now = int(time.time())
    return jwt.encode({"topics": list(topics), "exp": now + int(ttl_s), "iat": now, "sub": "tiers-local"},
                      secret, algorithm="HS256")


def start_bridge(workdir: Workdir, broker_url: str, *, secret: str | None = None, attempts: int = 3) -> Bridge:
    """Start the bridge on a free loopback port and wait for ``GET /health``.

    Args:
        workdir: where its log goes.
        broker_url: ``mqtt://127.0.0.1:<port>`` of mosquitto.
        secret: the HS256 secret (default: :func:`new_secret`).
        attempts: ports to try (default 3).
    """
    secret = secret or new_secret()
    last: Exception | None = None
    for _ in range(attempts):
        port = free_port()
        env = {**os.environ, "MQTT_BROKER_URL": broker_url, "PORT": str(port), "BRIDGE_HOST": LOOPBACK,
               "BRIDGE_JWT_SECRET": secret, "BRIDGE_CLIENT_ID": f"tiers-local-bridge-{port}",
               "BRIDGE_SERVICE_NAME": "tiers-local-bridge", "BRIDGE_DRAIN_S": LOCAL_DRAIN_S,
               "BRIDGE_CLOSE_TIMEOUT_S": "2", "PYTHONUNBUFFERED": "1"}
        try:
            child = start("bridge", [sys.executable, "-m", "iot_tiers_runtime.bridge"], workdir, env=env,
                          ready=lambda p=port: http_ok(f"http://{LOOPBACK}:{p}/health"), timeout=20)
        except StartError as exc:
            last = exc
            continue
        return Bridge(child, port, secret)
    raise StartError(f"the bridge did not start after {attempts} attempts: {last}")


__all__ = ["Bridge", "mint_token", "new_secret", "start_bridge"]
