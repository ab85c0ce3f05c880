"""HTTP/WebSocket front: ``GET /health``, token check before the upgrade, the client protocol.

Everything is on one port (``PORT``, default 3000), served by ``websockets.asyncio.server``:
``process_request`` answers ``/health`` and refuses requests without a valid token with
HTTP 401 before any WebSocket upgrade; the connection handler then speaks the protocol of
:mod:`.protocol`.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Callable
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .auth import AuthError, Claims, TokenVerifier, token_from_request
from .fanout import Fanout, Session
from .metrics import Counters
from .protocol import BadRequest, ack_frame, error_frame, parse_request
from .topics import allowed_by_claims

log = logging.getLogger(__name__)

HEALTH_PATH = "/health"


class FrontEnd:
    """Request gate and per-connection protocol handler.

    Args:
        verifier: checks dashboard tokens.
        fanout: client registry and routing.
        counters: metric totals (auth rejections are counted here).
        health: returns ``(http_status, json_body)`` for ``GET /health``.
        max_filters_per_client: ``BRIDGE_MAX_FILTERS_PER_CLIENT`` (default 64).
    """

    def __init__(
        self,
        verifier: TokenVerifier,
        fanout: Fanout,
        counters: Counters,
        health: Callable[[], tuple[int, dict]],
        max_filters_per_client: int,
    ) -> None:
        self._verifier = verifier
        self._fanout = fanout
        self._counters = counters
        self._health = health
        self._max_filters = max_filters_per_client
        self._claims: WeakKeyDictionary[ServerConnection, Claims] = WeakKeyDictionary()
        self.accepting = True

    # -- before the upgrade ----------------------------------------------------------------

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if urlsplit(request.path).path == HEALTH_PATH:
            status, body = self._health()
            return _json_response(status, body)
        if not self.accepting:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "shutting down\n")
        try:
            claims = self._verifier.verify(token_from_request(request.path, request.headers))
        except AuthError as exc:
            self._counters.rejected_auth += 1
            response = connection.respond(HTTPStatus.UNAUTHORIZED, f"{exc}\n")
            response.headers["WWW-Authenticate"] = 'Bearer realm="iot-bridge"'
            return response
        self._claims[connection] = claims
        return None

    # -- after the upgrade -----------------------------------------------------------------

    async def handler(self, connection: ServerConnection) -> None:
        claims = self._claims.pop(connection)
        # Token expiry is enforced by the keepalive round (see keepalive.py), not by a timer
        # per connection: a timer handle and its closure would cost each idle dashboard ~0.4 KiB.
        session = Session(connection, claims.topics, claims.subject, claims.exp)
        self._fanout.add(session)
        try:
            async for message in connection:
                replies = self._handle(session, message)
                self._fanout.flush_session(session)  # data queued before this reply goes first
                for frame in replies:
                    await connection.send(frame)
        except ConnectionClosed:
            pass
        finally:
            self._fanout.remove(session)

    def _handle(self, session: Session, message: str | bytes) -> list[str]:
        try:
            request = parse_request(message)
        except BadRequest as exc:
            return [error_frame("bad_request", str(exc))]
        if request.action == "unsubscribe":
            self._fanout.unsubscribe(session, request.topics)
            return [ack_frame("unsubscribed", request.topics, request.id)]
        allowed = [f for f in request.topics if allowed_by_claims(f, session.claims)]
        forbidden = [f for f in request.topics if f not in allowed]
        frames = []
        new = [f for f in allowed if f not in session.filters]
        if len(session.filters) + len(new) > self._max_filters:
            frames.append(
                error_frame(
                    "too_many_subscriptions",
                    f"a connection may hold at most {self._max_filters} filters; unsubscribe some first",
                    new,
                    request.id,
                )
            )
            allowed = [f for f in allowed if f in session.filters]
        if allowed:
            self._fanout.subscribe(session, allowed)
            frames.insert(0, ack_frame("subscribed", allowed, request.id))
        if forbidden:
            frames.append(
                error_frame(
                    "forbidden",
                    "filters outside the token's 'topics' claim; nothing is sent for them",
                    forbidden,
                    request.id,
                )
            )
        return frames


def _json_response(status: int, body: dict) -> Response:
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = Headers(
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
            ("Connection", "close"),
        ]
    )
    return Response(status, HTTPStatus(status).phrase, headers, payload)
