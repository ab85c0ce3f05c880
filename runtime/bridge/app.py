"""Wires the parts together and owns the process lifecycle (start, metrics, SIGTERM drain).

Shutdown on SIGTERM/SIGINT, bounded well inside the ECS stop timeout:
1. stop accepting (listener closed; ``/health`` goes away with it);
2. keep delivering to connected dashboards for ``BRIDGE_DRAIN_S`` (default 3 s, ends early
   when nobody is left);
3. close every dashboard with 1001 (going away), waiting at most ``BRIDGE_CLOSE_TIMEOUT_S``;
4. write the final EMF metric line;
5. DISCONNECT from the broker (ending the MQTT session) and exit 0.
Worst case about drain + 2 x close timeout + 2 s, i.e. ~15 s with the defaults.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from http import HTTPStatus

from websockets.asyncio.server import serve

from .auth import TokenVerifier
from .config import BridgeConfig
from .fanout import Fanout
from .keepalive import keepalive_loop
from .metrics import Counters, EmfWriter
from .mqtt import BrokerLink
from .server import FrontEnd
from .upstream import UpstreamFilters

log = logging.getLogger(__name__)

CLOSE_GOING_AWAY = 1001
MAX_FILTERS_IN_HEALTH = 100


class Bridge:
    """The running service.

    Args:
        config: everything from the environment (see :mod:`.config`).
    """

    def __init__(self, config: BridgeConfig) -> None:
        self.config = config
        self.counters = Counters()
        self.upstream = UpstreamFilters(config.broker.base_filters)
        self.fanout = Fanout(
            self.counters,
            queue_bytes=config.client_queue_bytes,
            on_filter_wanted=self._filter_wanted,
            on_filter_unwanted=self._filter_unwanted,
        )
        self.link = BrokerLink(config.broker, deliver=self.fanout.deliver, wanted=lambda: self.upstream.cover)
        self.front = FrontEnd(
            TokenVerifier(config.auth),
            self.fanout,
            self.counters,
            self.health,
            max_filters_per_client=config.max_filters_per_client,
        )
        self.emf = EmfWriter(
            config.metric_namespace,
            config.service_name,
            self.counters,
            gauges=lambda: (len(self.fanout.sessions), self.link.connected),
            properties={"ClientId": config.broker.client_id},
        )
        self.started = time.monotonic()
        self.draining = False
        self._stop = asyncio.Event()

    def _filter_wanted(self, filt: str) -> None:
        if self.upstream.add(filt):
            self.link.sync()

    def _filter_unwanted(self, filt: str) -> None:
        if self.upstream.remove(filt):
            self.link.sync()

    def health(self) -> tuple[int, dict]:
        """``GET /health``: 200 while the process can serve dashboards, 503 while draining.

        A broker outage alone keeps 200 (``broker_connected: false``) unless
        ``BRIDGE_HEALTH_BROKER_GRACE_S`` > 0 and the outage is longer than that.
        """
        now = time.monotonic()
        link = self.link
        down_s = None if link.connected or link.disconnected_since is None else now - link.disconnected_since
        status, state = HTTPStatus.OK, "ok"
        if self.draining:
            status, state = HTTPStatus.SERVICE_UNAVAILABLE, "draining"
        elif (
            self.config.health_broker_grace_s > 0 and down_s is not None and down_s > self.config.health_broker_grace_s
        ):
            status, state = HTTPStatus.SERVICE_UNAVAILABLE, "broker_unavailable"
        cover = sorted(self.upstream.cover)
        body = {
            "status": state,
            "broker_connected": link.connected,
            "broker_disconnected_s": None if down_s is None else round(down_s, 3),
            "broker_connects": link.connects,
            "clients": len(self.fanout.sessions),
            "client_filters": self.fanout.client_filters,
            "upstream_filters": cover[:MAX_FILTERS_IN_HEALTH],
            "upstream_filter_count": len(cover),
            "messages_received": self.counters.messages_received,
            "messages_delivered": self.counters.messages_delivered,
            "dropped_slow_clients": self.counters.dropped_slow_clients,
            "rejected_auth": self.counters.rejected_auth,
            "uptime_s": round(now - self.started, 3),
            "client_id": self.config.broker.client_id,
        }
        return int(status), body

    def stop(self) -> None:
        """Begin the graceful shutdown (what SIGTERM does)."""
        self._stop.set()

    async def _metrics_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.metric_interval_s)
            self.emf.emit()

    async def run(self) -> None:
        """Serve until :meth:`stop` (or SIGTERM/SIGINT), then shut down gracefully."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        cfg = self.config
        server = await serve(
            self.front.handler,
            cfg.host,
            cfg.port,
            process_request=self.front.process_request,
            compression=None,  # per-client deflate would defeat encode-once and cost ~50 KiB per client
            max_size=cfg.max_frame_bytes,
            max_queue=4,  # dashboards send a few small control frames, never a stream
            ping_interval=None,  # one keepalive task for all connections, see keepalive.py
            close_timeout=cfg.close_timeout_s,
        )
        link_task = loop.create_task(self.link.run())
        metrics_task = loop.create_task(self._metrics_loop())
        keepalive_task = loop.create_task(keepalive_loop(self.fanout.sessions, cfg.ping_interval_s))
        log.info(
            "listening on %s:%s, broker %s:%s (tls=%s), client id %s",
            cfg.host,
            cfg.port,
            cfg.broker.host,
            cfg.broker.port,
            cfg.broker.tls,
            cfg.broker.client_id,
        )
        try:
            await self._stop.wait()
        finally:
            keepalive_task.cancel()
            await self._shutdown(server, link_task, metrics_task)

    async def _shutdown(self, server, link_task: asyncio.Task, metrics_task: asyncio.Task) -> None:
        cfg = self.config
        log.info("shutting down: %d client(s), drain %.1fs", len(self.fanout.sessions), cfg.drain_s)
        self.draining = True
        self.front.accepting = False
        server.close(close_connections=False)
        deadline = time.monotonic() + cfg.drain_s
        while self.fanout.sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        closing = [
            asyncio.ensure_future(s.connection.close(CLOSE_GOING_AWAY, "server shutting down"))
            for s in list(self.fanout.sessions)
        ]
        if closing:
            await asyncio.wait(closing, timeout=cfg.close_timeout_s + 1)
        try:
            await asyncio.wait_for(server.wait_closed(), timeout=cfg.close_timeout_s + 1)
        except asyncio.TimeoutError:
            log.warning("some connections did not close in time")
        metrics_task.cancel()
        self.emf.emit()
        await self.link.stop()
        link_task.cancel()
        await asyncio.gather(link_task, metrics_task, return_exceptions=True)
        log.info("stopped")
