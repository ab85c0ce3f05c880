"""Dashboard authentication: a signed JWT carrying the MQTT filters the holder may read.

A token is taken from ``Authorization: Bearer <jwt>`` or, for browsers (whose WebSocket API
cannot set headers), from the ``?token=<jwt>`` query parameter. Query strings end up in
access logs, so keep such tokens short-lived.

Claims: ``topics`` (non-empty list of valid MQTT filters: a tenant is simply a set of
filters) and ``exp`` (required). ``aud``/``iss`` are checked when configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping
from urllib.parse import parse_qs, urlsplit

import jwt

from .config import AuthSettings
from .topics import InvalidTopic, validate_filter

MAX_CLAIMED_FILTERS = 256


class AuthError(Exception):
    """The request carries no usable token; ``str()`` is safe to return to the client."""


@dataclass(frozen=True)
class Claims:
    topics: tuple[str, ...]
    exp: float
    subject: str | None = None


def token_from_request(path: str, headers: Mapping[str, str]) -> str:
    """Extract the bearer token from the ``Authorization`` header or the ``token`` query parameter.

    Args:
        path: the request target, e.g. ``/?token=eyJ...``.
        headers: the request headers (case-insensitive mapping).
    """
    auth = headers.get("Authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthError("Authorization header must be 'Bearer <token>'")
        return value.strip()
    tokens = parse_qs(urlsplit(path).query).get("token")
    if tokens and tokens[0]:
        return tokens[0]
    raise AuthError("missing token: send 'Authorization: Bearer <token>' or '?token=<token>'")


class TokenVerifier:
    """Verifies tokens with one key and a fixed list of algorithms (no algorithm confusion).

    Args:
        settings: key, algorithms, optional audience/issuer and leeway (see the config table).
    """

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._key = settings.key
        if settings.algorithms[0] not in ("HS256", "HS384", "HS512"):
            # Parse the PEM once at start-up, so a bad key fails fast, not on every request.
            self._key = jwt.algorithms.get_default_algorithms()[settings.algorithms[0]].prepare_key(settings.key)

    def verify(self, token: str) -> Claims:
        """Return the token's claims, or raise :class:`AuthError` saying what was wrong."""
        s = self._settings
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=list(s.algorithms),
                audience=s.audience,
                issuer=s.issuer,
                leeway=s.leeway_s,
                options={"require": ["exp"], "verify_aud": s.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        topics = payload.get("topics")
        if not isinstance(topics, list) or not topics or len(topics) > MAX_CLAIMED_FILTERS:
            raise AuthError(f"invalid token: claim 'topics' must be a list of 1..{MAX_CLAIMED_FILTERS} MQTT filters")
        try:
            filters = tuple(validate_filter(t) for t in topics)
        except InvalidTopic as exc:
            raise AuthError(f"invalid token: claim 'topics': {exc}") from None
        sub = payload.get("sub")
        return Claims(topics=filters, exp=float(payload["exp"]), subject=sub if isinstance(sub, str) else None)
