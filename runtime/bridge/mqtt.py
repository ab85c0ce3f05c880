"""The bridge's one MQTT 5 connection to the broker (gmqtt), with its own reconnect loop.

Choices, and why:
- gmqtt's built-in reconnect waits a fixed delay and never retries a failed *first*
  connect, so it is switched off (``_Client.reconnect`` is a no-op) and :meth:`BrokerLink.run`
  reconnects instead: every attempt, the first one included, is followed by a jittered
  exponential backoff (``MQTT_RECONNECT_MIN_S`` doubling up to ``MQTT_RECONNECT_MAX_S``), so
  N tasks recovering from one broker outage don't reconnect in lock-step.
- Each attempt uses a fresh gmqtt client; the broker holds the session, not the client.
- Session: MQTT 5, clean start off, ``session_expiry_interval`` (``MQTT_SESSION_EXPIRY_S``),
  so QoS 1 messages published while the bridge is away are queued by the broker and
  delivered when it returns (Mosquitto 2.0 persists a session across its own restarts only
  if clean start was off). A new process must not inherit an old session, though: it has no
  dashboards for the old messages and cannot know which subscriptions are in it. So if the
  first CONNACK of a process says "session present", the bridge ends that session
  (DISCONNECT with session expiry 0) and connects again. A clean shutdown ends the session
  the same way so the broker stops queueing for it.
- Subscriptions (QoS 1) are (re)issued from ``on_connect``, so every reconnect resubscribes
  even if the broker lost the session; filters no longer wanted are unsubscribed.
- Acknowledgement: ``optimistic_acknowledgement=False``: gmqtt sends PUBACK with the
  reason code our (async) ``on_message`` returns, which it does only after the message was
  handed to the fan-out. A message received but not yet handed over when the link drops is
  redelivered by the broker.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Callable

import gmqtt
from gmqtt.mqtt.constants import MQTTv50, PubRecReasonCode

from .config import BrokerSettings

log = logging.getLogger(__name__)

MAX_FILTERS_PER_SUBSCRIBE = 8  # AWS IoT Core accepts at most 8 filters per SUBSCRIBE
STABLE_AFTER_S = 10.0  # a connection that lived this long resets the backoff


class _Client(gmqtt.Client):
    """gmqtt client whose automatic reconnect is disabled: :class:`BrokerLink` owns reconnects."""

    async def reconnect(self, delay: bool = False) -> None:  # noqa: ARG002 - gmqtt's signature
        return None


def backoff_delay(attempt: int, low: float, high: float, rand: Callable[[], float] = random.random) -> float:
    """Delay before reconnect attempt ``attempt`` (0-based): "equal jitter" exponential backoff.

    Half of ``min(high, low * 2**attempt)`` is fixed, the other half random, so a fleet spreads
    out but nobody retries in a tight loop.

    Args:
        attempt: failed attempts so far.
        low: ``MQTT_RECONNECT_MIN_S`` (default 1).
        high: ``MQTT_RECONNECT_MAX_S`` (default 30).
        rand: source of uniform [0, 1) numbers (tests pass a fixed one).
    """
    ceiling = min(high, low * (2 ** min(attempt, 32)))
    return ceiling / 2 + rand() * ceiling / 2


class BrokerLink:
    """Keeps the broker connection up and the broker-side subscriptions equal to ``wanted()``.

    Args:
        settings: broker URL, TLS files, client id, keepalive, session expiry, backoff.
        deliver: called with ``(topic, payload)`` for each message; must not block.
        wanted: returns the filters that should be subscribed right now.
    """

    def __init__(
        self,
        settings: BrokerSettings,
        deliver: Callable[[str, bytes], object],
        wanted: Callable[[], frozenset[str]],
    ) -> None:
        self._settings = settings
        self._deliver = deliver
        self._wanted = wanted
        self._ssl = settings.ssl_context()
        self._client: _Client | None = None
        self._lost = asyncio.Event()
        self._stopping = asyncio.Event()
        self._subscribed: set[str] = set()  # what we believe the broker session holds
        self._session_is_ours = False  # False until this process holds a session it created
        self._stale_session = False
        self.connected = False
        self.disconnected_since: float | None = time.monotonic()
        self.connects = 0
        self.subscribe_failures = 0

    @property
    def subscribed(self) -> frozenset[str]:
        return frozenset(self._subscribed)

    # -- gmqtt callbacks -------------------------------------------------------------------

    def _on_connect(self, client: _Client, session_present: int, rc: int, properties: dict) -> None:
        if client is not self._client:
            return
        if session_present and not self._session_is_ours:
            self._stale_session = True  # left by an earlier process with this client id
            return
        self._session_is_ours = True
        self.connected = True
        self.disconnected_since = None
        self.connects += 1
        if not session_present:
            self._subscribed = set()
        log.info(
            "connected to %s:%s as %s (session present: %s)",
            self._settings.host,
            self._settings.port,
            self._settings.client_id,
            bool(session_present),
        )
        # Resubscribe everything: cheap, idempotent, and right even if the broker lost state.
        wanted = self._wanted()
        self._send(client, subscribe=sorted(wanted), unsubscribe=sorted(self._subscribed - wanted))

    def _on_disconnect(self, client: _Client, packet: object, exc: object = None) -> None:
        if client is not self._client:
            return
        if self.connected:
            log.warning("lost the broker connection")
        self.connected = False
        self.disconnected_since = self.disconnected_since or time.monotonic()
        self._lost.set()

    def _on_subscribe(self, client: _Client, mid: int, granted: tuple, properties: dict) -> None:
        refused = [code for code in granted if code >= 0x80]
        if refused:
            self.subscribe_failures += len(refused)
            log.error(
                "broker refused %d subscription(s) (reason codes %s); check the broker policy", len(refused), refused
            )

    async def _on_message(self, client: _Client, topic: str, payload: bytes, qos: int, properties: dict) -> int:
        # Coroutine on purpose: with optimistic acknowledgement off, gmqtt only acks what an
        # async on_message returns, after it returns.
        try:
            self._deliver(topic, payload)
        except Exception:  # never let one bad message kill the link; the broker must not redeliver it forever
            log.exception("fan-out failed for a message on %r", topic)
            return PubRecReasonCode.IMPLEMENTATION_SPECIFIC_ERROR
        return PubRecReasonCode.SUCCESS

    # -- subscriptions ---------------------------------------------------------------------

    def _send(self, client: _Client, subscribe: list[str], unsubscribe: list[str]) -> None:
        for i in range(0, len(subscribe), MAX_FILTERS_PER_SUBSCRIBE):
            chunk = subscribe[i : i + MAX_FILTERS_PER_SUBSCRIBE]
            client.subscribe([gmqtt.Subscription(f, qos=1) for f in chunk])
            self._subscribed.update(chunk)
        for i in range(0, len(unsubscribe), MAX_FILTERS_PER_SUBSCRIBE):
            chunk = unsubscribe[i : i + MAX_FILTERS_PER_SUBSCRIBE]
            client.unsubscribe(chunk)
            self._subscribed.difference_update(chunk)

    def sync(self) -> None:
        """Bring broker subscriptions in line with ``wanted()`` now (no-op while disconnected)."""
        client = self._client
        if not self.connected or client is None:
            return
        wanted = self._wanted()
        add = sorted(wanted - self._subscribed)
        remove = sorted(self._subscribed - wanted)
        if add or remove:
            self._send(client, subscribe=add, unsubscribe=remove)

    # -- lifecycle -------------------------------------------------------------------------

    def _new_client(self) -> _Client:
        s = self._settings
        client = _Client(
            s.client_id,
            clean_session=False,
            optimistic_acknowledgement=False,
            session_expiry_interval=s.session_expiry_s,
        )
        if s.username is not None:
            client.set_auth_credentials(s.username, s.password)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    async def _connect_once(self) -> bool:
        s = self._settings
        client = self._new_client()
        self._client = client
        self._lost.clear()
        connecting = asyncio.ensure_future(
            client.connect(s.host, s.port, ssl=self._ssl or False, keepalive=s.keepalive_s, version=MQTTv50)
        )
        # A broker that drops us mid-handshake (e.g. mutual TLS refusing our certificate
        # under TLS 1.3) never sends CONNACK: watch for the loss instead of waiting it out.
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait({connecting, lost}, timeout=s.connect_timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
        reason = None
        if not connecting.done():
            connecting.cancel()
            reason = (
                "connection closed during the handshake"
                if self._lost.is_set()
                else (f"no CONNACK within {s.connect_timeout_s:g}s")
            )
        elif connecting.exception() is not None:
            exc = connecting.exception()
            reason = f"{type(exc).__name__}: {exc}"
        if reason is not None:
            log.warning("cannot connect to %s:%s: %s", s.host, s.port, reason)
            self._client = None
            self.connected = False
            await self._abandon(client)
            return False
        if self._stale_session:
            self._stale_session = False
            log.warning("discarding a session left by an earlier process with client id %s", s.client_id)
            self._client = None
            try:
                await self._end_session(client)
            except Exception as exc:  # the next connect still gets a usable session
                log.warning("could not end the stale session cleanly: %s", exc)
                await self._abandon(client)
            self._session_is_ours = True  # whatever the next CONNACK says, it is ours now
            return await self._connect_once()
        return True

    async def _abandon(self, client: _Client) -> None:
        conn = getattr(client, "_connection", None)
        if conn is not None and not conn.is_closing():
            try:
                await asyncio.wait_for(conn.close(), timeout=1.0)
            except Exception:
                pass

    async def run(self) -> None:
        """Connect, stay connected, reconnect with backoff until :meth:`stop`."""
        attempt = 0
        while not self._stopping.is_set():
            started = time.monotonic()
            if await self._connect_once():
                stop_wait = asyncio.ensure_future(self._stopping.wait())
                lost_wait = asyncio.ensure_future(self._lost.wait())
                await asyncio.wait({stop_wait, lost_wait}, return_when=asyncio.FIRST_COMPLETED)
                stop_wait.cancel()
                lost_wait.cancel()
                if self._stopping.is_set():
                    return
                if time.monotonic() - started >= STABLE_AFTER_S:
                    attempt = 0
            delay = backoff_delay(attempt, self._settings.reconnect_min_s, self._settings.reconnect_max_s)
            attempt += 1
            log.info("reconnecting in %.2fs (attempt %d)", delay, attempt)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass

    async def stop(self, timeout: float = 2.0) -> None:
        """Stop reconnecting and disconnect cleanly, ending the broker session."""
        self._stopping.set()
        client, self._client = self._client, None
        was_connected, self.connected = self.connected, False
        if client is not None and was_connected:
            try:
                await self._end_session(client, timeout)
            except Exception as exc:  # the process is exiting; a dirty close is acceptable
                log.warning("unclean MQTT disconnect: %s", exc)

    @staticmethod
    async def _end_session(client: _Client, timeout: float = 2.0) -> None:
        # Session expiry 0 in DISCONNECT: the broker drops the session and its queue now.
        await asyncio.wait_for(client.disconnect(session_expiry_interval=0), timeout=timeout)
