"""Fan-out: which dashboard gets which MQTT message, and slow-client protection.

Each message is routed with one trie lookup and encoded once (JSON and WebSocket framing
alike) into one frame shared by every interested connection. Frames are queued per client
and flushed once per event loop iteration: a burst of messages read from the broker in one go becomes one write (one
syscall) per client instead of one per message, and nothing waits on a client (no task or
await per client). The per-client queue beyond that is the connection's send buffer: bytes
handed to the connection but not yet accepted by the client's TCP socket. When it is above
``queue_bytes`` the client is too far behind: it is unsubscribed at once (so it never
delays anybody), closed with code 1013 (try again later) and counted in
``DroppedSlowClients``. A client that reads again simply reconnects.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from .metrics import Counters
from .protocol import encode_data_frame
from .topics import FilterTrie

log = logging.getLogger(__name__)

CLOSE_TOO_SLOW = 1013


class Session:
    """One authenticated dashboard connection and the filters it holds.

    Args:
        connection: the websockets connection.
        claims: filters its token allows (see :mod:`.auth`).
        subject: the token's ``sub``, for logs.
        exp: the token's expiry (Unix time); the connection is closed after it.
    """

    __slots__ = ("connection", "transport", "claims", "filters", "subject", "exp", "dropped", "pending", "pong")

    def __init__(
        self,
        connection: ServerConnection,
        claims: tuple[str, ...],
        subject: str | None = None,
        exp: float = float("inf"),
    ) -> None:
        self.connection = connection
        self.transport = connection.transport
        self.claims = claims
        self.filters: set[str] = set()
        self.subject = subject
        self.exp = exp
        self.dropped = False
        self.pending: list[bytes] | None = None  # frames waiting for the end-of-iteration flush
        self.pong: asyncio.Future | None = None  # answer to the last keepalive ping


class Fanout:
    """Client registry + routing table.

    Args:
        counters: shared metric totals (delivered, dropped).
        queue_bytes: per-client backlog limit (``BRIDGE_CLIENT_QUEUE_BYTES``, default 262144).
        on_filter_wanted: called with a filter when its first client subscribes to it.
        on_filter_unwanted: called with a filter when its last client leaves it.
    """

    def __init__(
        self,
        counters: Counters,
        queue_bytes: int,
        on_filter_wanted: Callable[[str], None],
        on_filter_unwanted: Callable[[str], None],
    ) -> None:
        self._counters = counters
        self._queue_bytes = queue_bytes
        self._on_wanted = on_filter_wanted
        self._on_unwanted = on_filter_unwanted
        self._trie = FilterTrie()
        self._clients: dict[str, set[Session]] = {}
        self.sessions: set[Session] = set()
        self._closing: set[asyncio.Task] = set()
        self._dirty: list[Session] = []
        self._flush_handle: asyncio.Handle | None = None

    @property
    def client_filters(self) -> int:
        """Distinct filters held by at least one client."""
        return len(self._clients)

    def add(self, session: Session) -> None:
        self.sessions.add(session)

    def remove(self, session: Session) -> None:
        """Forget a session and release its filters (idempotent)."""
        self.sessions.discard(session)
        self.unsubscribe(session, tuple(session.filters))

    def subscribe(self, session: Session, filters: tuple[str, ...] | list[str]) -> None:
        for filt in filters:
            if filt in session.filters:
                continue
            session.filters.add(filt)
            holders = self._clients.get(filt)
            if holders is None:
                holders = self._clients[filt] = set()
                self._trie.add(filt)
                self._on_wanted(filt)
            holders.add(session)

    def unsubscribe(self, session: Session, filters: tuple[str, ...] | list[str]) -> None:
        for filt in filters:
            if filt not in session.filters:
                continue
            session.filters.discard(filt)
            holders = self._clients[filt]
            holders.discard(session)
            if not holders:
                del self._clients[filt]
                self._trie.discard(filt)
                self._on_unwanted(filt)

    def deliver(self, topic: str, payload: bytes) -> int:
        """Queue one MQTT message for every client holding a matching filter; return how many."""
        self._counters.messages_received += 1
        matched = self._trie.match(topic)
        if not matched:
            return 0
        if len(matched) == 1:
            targets = self._clients[matched[0]]
        else:  # a client holding several matching filters still gets the message once
            targets = set().union(*(self._clients[f] for f in matched))
        # JSON encoding *and* WebSocket framing happen once: server frames are unmasked and
        # compression is off, so the bytes on the wire are the same for every client.
        frame = Frame(Opcode.TEXT, encode_data_frame(topic, payload)).serialize(mask=False)
        dirty = self._dirty
        for session in targets:
            if session.pending is None:
                session.pending = [frame]
                dirty.append(session)
            else:
                session.pending.append(frame)
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_soon(self.flush)
        return len(targets)

    def flush(self) -> None:
        """Write every queued frame: one write per client; drop clients that are too far behind."""
        self._flush_handle = None
        dirty, self._dirty = self._dirty, []
        for session in dirty:
            self.flush_session(session)

    def flush_session(self, session: Session) -> None:
        """Write this client's queued frames now (also used before a control reply, to keep order)."""
        frames, session.pending = session.pending, None
        if not frames or session.dropped:
            return
        connection = session.connection
        if connection.protocol.state is not State.OPEN:
            return
        if session.transport.get_write_buffer_size() > self._queue_bytes:
            self.drop(session)
            return
        # Whole frames only, written synchronously, so they never interleave with the
        # control frames the connection writes itself.
        session.transport.write(frames[0] if len(frames) == 1 else b"".join(frames))
        self._counters.messages_delivered += len(frames)

    def drop(self, session: Session) -> None:
        """Cut a client that fell too far behind: no more data, close 1013, count it."""
        if session.dropped:
            return
        session.dropped = True
        self._counters.dropped_slow_clients += 1
        log.warning(
            "dropping slow client %s (sub=%s): %d bytes unsent",
            session.connection.remote_address,
            session.subject,
            session.transport.get_write_buffer_size(),
        )
        self.remove(session)
        task = asyncio.get_running_loop().create_task(
            session.connection.close(CLOSE_TOO_SLOW, "client too slow; reconnect")
        )
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
