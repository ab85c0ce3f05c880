"""The dashboard wire protocol: JSON text frames in both directions.

Client -> server::

    {"action": "subscribe",   "topics": ["devices/+/telemetry"], "id": 7}
    {"action": "unsubscribe", "topics": ["devices/+/telemetry"]}

(``id`` is optional, any JSON string or number, and is echoed in the reply.)

Server -> client:

- data: ``{"topic": "devices/d1/telemetry", "payload": <the MQTT payload as JSON if it is
  JSON, else as a string>}``; a payload that is not UTF-8 is sent base64-encoded with
  ``"encoding": "base64"``. Data frames never have a ``type`` key; replies always do:
- ``{"type": "subscribed", "topics": [...]}`` / ``{"type": "unsubscribed", "topics": [...]}``
- ``{"type": "error", "error": "forbidden", "topics": [...], "message": "..."}``: filters
  outside the token's ``topics`` claim (the allowed ones of the same request still apply)
- ``{"type": "error", "error": "bad_request", "message": "..."}``: not JSON, not an object,
  unknown action, bad ``topics``, invalid MQTT filter, binary frame
- ``{"type": "error", "error": "too_many_subscriptions", "topics": [...], "message": "..."}``
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from .topics import InvalidTopic, validate_filter

MAX_TOPICS_PER_REQUEST = 64


class BadRequest(ValueError):
    """A client frame that cannot be understood; ``str()`` is sent back to the client."""


@dataclass(frozen=True)
class Request:
    action: str
    topics: tuple[str, ...]
    id: object = None


def parse_request(message: str | bytes) -> Request:
    """Parse one client frame; raise :class:`BadRequest` naming what is wrong and what is allowed."""
    if isinstance(message, bytes):
        raise BadRequest("binary frames are not accepted; send JSON text frames")
    try:
        data = json.loads(message)
    except (ValueError, RecursionError):
        raise BadRequest("frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest('frame must be a JSON object like {"action": "subscribe", "topics": ["a/+/b"]}')
    action = data.get("action")
    if action not in ("subscribe", "unsubscribe"):
        raise BadRequest(f"unknown action {action!r}; allowed: 'subscribe', 'unsubscribe'")
    topics = data.get("topics")
    if (
        not isinstance(topics, list)
        or not 1 <= len(topics) <= MAX_TOPICS_PER_REQUEST
        or not all(isinstance(t, str) for t in topics)
    ):
        raise BadRequest(f"'topics' must be a list of 1..{MAX_TOPICS_PER_REQUEST} MQTT filter strings")
    try:
        filters = tuple(dict.fromkeys(validate_filter(t) for t in topics))
    except InvalidTopic as exc:
        raise BadRequest(str(exc)) from None
    req_id = data.get("id")
    if req_id is not None and not isinstance(req_id, (str, int, float)):
        raise BadRequest("'id' must be a string or a number")
    return Request(action=action, topics=filters, id=req_id)


def _reply(body: dict, req_id: object) -> str:
    if req_id is not None:
        body["id"] = req_id
    return json.dumps(body, separators=(",", ":"))


def ack_frame(kind: str, topics: list[str] | tuple[str, ...], req_id: object = None) -> str:
    """``{"type": kind, "topics": [...]}`` with kind ``subscribed`` or ``unsubscribed``."""
    return _reply({"type": kind, "topics": list(topics)}, req_id)


def error_frame(error: str, message: str, topics: list[str] | None = None, req_id: object = None) -> str:
    """``{"type": "error", "error": error, "message": message[, "topics": [...]]}``."""
    body: dict = {"type": "error", "error": error, "message": message}
    if topics is not None:
        body["topics"] = list(topics)
    return _reply(body, req_id)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def encode_data_frame(topic: str, payload: bytes) -> bytes:
    """The one UTF-8 data frame shared by every client that receives this message.

    A JSON payload is embedded as-is (validated, never re-serialised), anything else
    becomes a JSON string.

    Args:
        topic: the MQTT topic name the message was published to.
        payload: the raw MQTT payload.
    """
    head = b'{"topic":' + json.dumps(topic).encode() + b',"payload":'
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return head + b'"' + base64.b64encode(payload) + b'","encoding":"base64"}'
    try:
        json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return head + json.dumps(text).encode() + b"}"
    return head + payload.strip() + b"}"
