"""WebSocket keepalive for every dashboard from one task.

websockets' own keepalive runs one task per connection; at 10k idle dashboards those tasks
(coroutine frame, sleep timer, pong future) cost about 1.5 KiB each, a tenth of the memory
budget per connection. This loop pings every dashboard every ``BRIDGE_PING_INTERVAL_S``
(default 20 s, below the ALB's 60 s idle timeout), spread over the interval's first moments
in batches so a large fleet never stalls message delivery. A dashboard that has not
answered the previous ping when the next one is due is closed with 1011 (it is gone, and
the server-sent pings would otherwise keep the ALB connection open for it forever).

The same round closes dashboards whose token has expired, with 1008 (policy violation)
and reason ``token expired``: at most one ping interval after ``exp``. The client is
expected to reconnect with a fresh token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Iterable

from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from .fanout import Session

log = logging.getLogger(__name__)

CLOSE_PING_TIMEOUT = 1011
CLOSE_TOKEN_EXPIRED = 1008
BATCH = 256


async def keepalive_loop(sessions: Iterable[Session], interval: float) -> None:
    """Ping every session each ``interval`` seconds; close silent and expired ones.

    Args:
        sessions: the live set of dashboard sessions (read afresh every round).
        interval: ``BRIDGE_PING_INTERVAL_S`` (default 20).
    """
    while True:
        await asyncio.sleep(interval)
        now = time.time()
        for i, session in enumerate(list(sessions)):
            if i % BATCH == BATCH - 1:
                await asyncio.sleep(0)
            connection = session.connection
            if session.dropped or connection.protocol.state is not State.OPEN:
                continue
            if session.exp <= now:
                asyncio.ensure_future(connection.close(CLOSE_TOKEN_EXPIRED, "token expired"))
                continue
            pong = session.pong
            if pong is not None and not pong.done():
                log.info("closing dashboard %s: no pong within %.0fs", connection.remote_address, interval)
                asyncio.ensure_future(connection.close(CLOSE_PING_TIMEOUT, "keepalive ping timeout"))
                continue
            if session.transport.get_write_buffer_size():
                continue  # data is queued for it: ping() could wait for a drain; next round
            try:
                session.pong = await connection.ping()
            except ConnectionClosed:
                continue
