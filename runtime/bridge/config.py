"""Bridge settings, read once from environment variables.

Every variable is declared in :data:`VARIABLES` with its default and meaning; that table is
the documentation (``python -m iot_tiers_runtime.bridge --env-table`` prints it as markdown), so the
README and the code cannot drift apart. Bad values fail at start-up with a message that
names the variable, the value and what is allowed.
"""

from __future__ import annotations

import os
import socket
import ssl
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from .clientcert import CERT_VARIABLE, KEY_VARIABLE, CertificateError, ClientCertificate, require_memory_files
from .topics import InvalidTopic, validate_filter


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable and what is allowed."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None
    doc: str


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "MQTT_BROKER_URL",
        None,
        "Required. `mqtt://host[:1883]` or `mqtts://host[:8883]` (TLS). For AWS IoT Core: "
        "`mqtts://<prefix>-ats.iot.<region>.amazonaws.com:8883`.",
    ),
    Variable("MQTT_CA_FILE", "(system CAs)", "PEM file of the CA(s) that sign the broker's certificate (mqtts only)."),
    Variable(
        "MQTT_CERT_FILE",
        "(none)",
        "PEM client certificate for mutual TLS (AWS IoT Core requires it). Set together with `MQTT_KEY_FILE`.",
    ),
    Variable("MQTT_KEY_FILE", "(none)", "PEM private key of `MQTT_CERT_FILE`."),
    Variable(
        "MQTT_CLIENT_CERT_PEM",
        "(none)",
        "The client certificate itself, as PEM text (how ECS passes a secret); instead of `MQTT_CERT_FILE`. "
        "Set together with `MQTT_CLIENT_KEY_PEM`. Loaded from memory: the bridge needs no writable directory.",
    ),
    Variable("MQTT_CLIENT_KEY_PEM", "(none)", "Unencrypted PEM private key of `MQTT_CLIENT_CERT_PEM`."),
    Variable("MQTT_USERNAME", "(none)", "MQTT user name (brokers with password auth, e.g. Mosquitto)."),
    Variable("MQTT_PASSWORD", "(none)", "MQTT password; only with `MQTT_USERNAME`."),
    Variable("MQTT_KEEPALIVE_S", "15", "MQTT keepalive, 1..20 s, so a dead broker link is noticed in under a minute."),
    Variable(
        "MQTT_SESSION_EXPIRY_S",
        "3600",
        "MQTT 5 session expiry. The broker keeps the bridge's subscriptions and queues its QoS 1 "
        "messages this long while the bridge is away; reconnects resume the session (clean start off).",
    ),
    Variable("MQTT_CONNECT_TIMEOUT_S", "10", "Give up one connect attempt (TCP + TLS + CONNACK) after this long."),
    Variable("MQTT_RECONNECT_MIN_S", "1", "First reconnect delay; doubles per failed attempt (with jitter)."),
    Variable("MQTT_RECONNECT_MAX_S", "30", "Cap of the reconnect delay."),
    Variable(
        "BRIDGE_CLIENT_ID",
        "`<BRIDGE_SERVICE_NAME>-<ECS task id>` or `-<hostname>`",
        "MQTT client id; must be unique per running task (a duplicate id disconnects the other task).",
    ),
    Variable(
        "BRIDGE_BASE_FILTERS",
        "(none)",
        "Comma-separated MQTT filters subscribed upstream even with no dashboard connected.",
    ),
    Variable("PORT", "3000", "TCP port of the WebSocket server and of `GET /health`."),
    Variable("BRIDGE_HOST", "0.0.0.0", "Address to listen on."),
    Variable(
        "BRIDGE_JWT_SECRET", "(none)", "HS256 secret that signs dashboard tokens. Set this or `BRIDGE_JWT_PUBLIC_KEY`."
    ),
    Variable(
        "BRIDGE_JWT_PUBLIC_KEY", "(none)", "PEM public key that verifies dashboard tokens (RS*/PS*/ES* algorithms)."
    ),
    Variable(
        "BRIDGE_JWT_ALGORITHM",
        "HS256 with a secret, RS256 with a public key",
        "Accepted signing algorithm(s), comma-separated. HS* only with a secret; "
        "RS*/PS*/ES*/EdDSA only with a public key.",
    ),
    Variable("BRIDGE_JWT_AUDIENCE", "(not checked)", "If set, tokens must carry this `aud`."),
    Variable("BRIDGE_JWT_ISSUER", "(not checked)", "If set, tokens must carry this `iss`."),
    Variable("BRIDGE_JWT_LEEWAY_S", "30", "Clock skew tolerated on `exp`/`nbf`/`iat`."),
    Variable(
        "BRIDGE_MAX_FRAME_BYTES", "4096", "Largest frame a dashboard may send; bigger closes the connection with 1009."
    ),
    Variable("BRIDGE_MAX_FILTERS_PER_CLIENT", "64", "Most filters one connection may hold at once."),
    Variable(
        "BRIDGE_CLIENT_QUEUE_BYTES",
        "262144",
        "Per-client send backlog (bytes not yet accepted by the client's socket). A client over it "
        "is dropped with close code 1013 and counted in `DroppedSlowClients`.",
    ),
    Variable(
        "BRIDGE_PING_INTERVAL_S",
        "20",
        "WebSocket ping interval; keep it below the ALB idle timeout (60 s). A dashboard that has not "
        "answered a ping when the next is due is closed with 1011; expired tokens are closed (1008) on the same round.",
    ),
    Variable(
        "BRIDGE_CLOSE_TIMEOUT_S",
        "5",
        "Longest wait for a client to answer a close frame before the TCP connection is dropped.",
    ),
    Variable(
        "BRIDGE_DRAIN_S",
        "3",
        "On SIGTERM: keep delivering this long after the listener closes, then close clients with 1001.",
    ),
    Variable("BRIDGE_SERVICE_NAME", "iot-bridge", "`ServiceName` dimension of the metrics: the ECS service name."),
    Variable("BRIDGE_METRIC_NAMESPACE", "IotTiers/Bridge", "CloudWatch namespace of the EMF metrics."),
    Variable(
        "BRIDGE_METRIC_INTERVAL_S", "60", "Seconds between two EMF metric lines (one more is written at shutdown)."
    ),
    Variable(
        "BRIDGE_HEALTH_BROKER_GRACE_S",
        "0",
        "If > 0, `/health` turns 503 once the broker has been unreachable this long; 0 keeps it 200 "
        "during broker outages (see Health).",
    ),
    Variable("BRIDGE_LOG_LEVEL", "INFO", "Python log level of the bridge's own logs (stderr)."),
)

_SYMMETRIC = {"HS256", "HS384", "HS512"}
_ASYMMETRIC = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}


def env_table_markdown() -> str:
    """The README table of every variable, generated from :data:`VARIABLES`."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for var in VARIABLES:
        default = var.default if var.default is not None else "(required)"
        rows.append(f"| `{var.name}` | {default} | {var.doc} |")
    return "\n".join(rows)


@dataclass(frozen=True)
class BrokerSettings:
    host: str
    port: int
    tls: bool
    ca_file: str | None
    cert_file: str | None
    key_file: str | None
    username: str | None
    password: str | None
    client_id: str
    keepalive_s: int
    session_expiry_s: int
    connect_timeout_s: float
    reconnect_min_s: float
    reconnect_max_s: float
    base_filters: tuple[str, ...]
    #: The client certificate given as PEM text (``MQTT_CLIENT_CERT_PEM``), instead of files.
    client_certificate: ClientCertificate | None = None

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for ``mqtts://`` (server verification + optional client cert), else None."""
        if not self.tls:
            return None
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        if self.cert_file:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        elif self.client_certificate is not None:
            self.client_certificate.load_into(ctx)
        return ctx


@dataclass(frozen=True)
class AuthSettings:
    key: str
    algorithms: tuple[str, ...]
    audience: str | None
    issuer: str | None
    leeway_s: float


@dataclass(frozen=True)
class BridgeConfig:
    broker: BrokerSettings
    auth: AuthSettings
    host: str = "0.0.0.0"
    port: int = 3000
    max_frame_bytes: int = 4096
    max_filters_per_client: int = 64
    client_queue_bytes: int = 262144
    ping_interval_s: float = 20.0
    close_timeout_s: float = 5.0
    drain_s: float = 3.0
    service_name: str = "iot-bridge"
    metric_namespace: str = "IotTiers/Bridge"
    metric_interval_s: float = 60.0
    health_broker_grace_s: float = 0.0
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "BridgeConfig":
        """Build the configuration from ``env`` (default: ``os.environ``); raise :class:`ConfigError`."""
        return _Reader(os.environ if env is None else env).config()


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def raw(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def number(self, name: str, default: float, *, lo: float, hi: float, integer: bool = False) -> float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            parsed = int(value) if integer else float(value)
        except ValueError:
            kind = "an integer" if integer else "a number"
            raise ConfigError(f"{name}={value!r} is not {kind}; allowed: {lo:g}..{hi:g}") from None
        if not lo <= parsed <= hi:
            raise ConfigError(f"{name}={value!r} is out of range; allowed: {lo:g}..{hi:g}")
        return parsed

    def file(self, name: str) -> str | None:
        value = self.raw(name)
        if value is not None and not os.path.isfile(value):
            raise ConfigError(f"{name}={value!r}: no such file")
        return value

    def broker(self, service_name: str) -> BrokerSettings:
        url = self.raw("MQTT_BROKER_URL")
        if url is None:
            raise ConfigError("MQTT_BROKER_URL is required, e.g. mqtts://xxxx-ats.iot.us-east-1.amazonaws.com:8883")
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts"):
            raise ConfigError(f"MQTT_BROKER_URL={url!r}: scheme must be mqtt:// or mqtts://")
        if parts.username or parts.password:
            raise ConfigError("MQTT_BROKER_URL must not carry credentials; use MQTT_USERNAME and MQTT_PASSWORD")
        if not parts.hostname:
            raise ConfigError(f"MQTT_BROKER_URL={url!r} has no host")
        try:
            port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        except ValueError:
            raise ConfigError(f"MQTT_BROKER_URL={url!r} has an invalid port") from None
        tls = parts.scheme == "mqtts"
        ca, cert, key = self.file("MQTT_CA_FILE"), self.file("MQTT_CERT_FILE"), self.file("MQTT_KEY_FILE")
        if (cert is None) != (key is None):
            raise ConfigError("MQTT_CERT_FILE and MQTT_KEY_FILE must be set together (mutual TLS)")
        if not tls and (ca or cert):
            raise ConfigError("MQTT_CA_FILE/MQTT_CERT_FILE/MQTT_KEY_FILE need an mqtts:// MQTT_BROKER_URL")
        client_certificate = self.client_certificate(tls, files_given=cert is not None)
        username, password = self.raw("MQTT_USERNAME"), self.env.get("MQTT_PASSWORD") or None
        if password is not None and username is None:
            raise ConfigError("MQTT_PASSWORD is set but MQTT_USERNAME is not")
        rmin = self.number("MQTT_RECONNECT_MIN_S", 1.0, lo=0.01, hi=600)
        rmax = self.number("MQTT_RECONNECT_MAX_S", 30.0, lo=0.01, hi=3600)
        if rmax < rmin:
            raise ConfigError(f"MQTT_RECONNECT_MAX_S ({rmax:g}) must be >= MQTT_RECONNECT_MIN_S ({rmin:g})")
        base = []
        for item in (self.raw("BRIDGE_BASE_FILTERS") or "").split(","):
            if item.strip():
                try:
                    base.append(validate_filter(item.strip()))
                except InvalidTopic as exc:
                    raise ConfigError(f"BRIDGE_BASE_FILTERS: {exc}") from None
        client_id = self.raw("BRIDGE_CLIENT_ID") or default_client_id(service_name, self.env)
        if len(client_id.encode()) > 128:
            raise ConfigError("BRIDGE_CLIENT_ID is longer than 128 bytes (AWS IoT Core's limit)")
        return BrokerSettings(
            host=parts.hostname,
            port=port,
            tls=tls,
            ca_file=ca,
            cert_file=cert,
            key_file=key,
            username=username,
            password=password,
            client_id=client_id,
            keepalive_s=int(self.number("MQTT_KEEPALIVE_S", 15, lo=1, hi=20, integer=True)),
            session_expiry_s=int(self.number("MQTT_SESSION_EXPIRY_S", 3600, lo=0, hi=0xFFFFFFFF, integer=True)),
            connect_timeout_s=self.number("MQTT_CONNECT_TIMEOUT_S", 10.0, lo=0.1, hi=300),
            reconnect_min_s=rmin,
            reconnect_max_s=rmax,
            base_filters=tuple(dict.fromkeys(base)),
            client_certificate=client_certificate,
        )

    def client_certificate(self, tls: bool, files_given: bool) -> ClientCertificate | None:
        """The certificate of ``MQTT_CLIENT_CERT_PEM``/``MQTT_CLIENT_KEY_PEM``, checked, if set."""
        cert, key = self.raw(CERT_VARIABLE), self.raw(KEY_VARIABLE)
        if cert is None and key is None:
            return None
        if (cert is None) != (key is None):
            raise ConfigError(f"{CERT_VARIABLE} and {KEY_VARIABLE} must be set together (mutual TLS)")
        if files_given:
            raise ConfigError(f"set the client certificate once: either MQTT_CERT_FILE/MQTT_KEY_FILE or "
                              f"{CERT_VARIABLE}/{KEY_VARIABLE}, not both")
        if not tls:
            raise ConfigError(f"{CERT_VARIABLE}/{KEY_VARIABLE} need an mqtts:// MQTT_BROKER_URL")
        try:
            require_memory_files()
            return ClientCertificate.from_text(cert, key)
        except CertificateError as exc:
            raise ConfigError(str(exc)) from None

    def auth(self) -> AuthSettings:
        secret = self.env.get("BRIDGE_JWT_SECRET") or None
        public_key = self.raw("BRIDGE_JWT_PUBLIC_KEY")
        if (secret is None) == (public_key is None):
            raise ConfigError("set exactly one of BRIDGE_JWT_SECRET (HS256) and BRIDGE_JWT_PUBLIC_KEY (PEM)")
        allowed = _SYMMETRIC if secret is not None else _ASYMMETRIC
        raw_algs = self.raw("BRIDGE_JWT_ALGORITHM") or ("HS256" if secret is not None else "RS256")
        algorithms = tuple(a.strip() for a in raw_algs.split(",") if a.strip())
        for alg in algorithms:
            if alg not in allowed:
                which = "BRIDGE_JWT_SECRET" if secret is not None else "BRIDGE_JWT_PUBLIC_KEY"
                raise ConfigError(
                    f"BRIDGE_JWT_ALGORITHM={raw_algs!r}: {alg} cannot be used with {which}; "
                    f"allowed: {', '.join(sorted(allowed))}"
                )
        if public_key is not None:
            public_key = public_key.replace("\\n", "\n")  # one-line PEMs from env files
            if "-----BEGIN" not in public_key:
                raise ConfigError("BRIDGE_JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----...)")
        return AuthSettings(
            key=secret if secret is not None else public_key,
            algorithms=algorithms,
            audience=self.raw("BRIDGE_JWT_AUDIENCE"),
            issuer=self.raw("BRIDGE_JWT_ISSUER"),
            leeway_s=self.number("BRIDGE_JWT_LEEWAY_S", 30.0, lo=0, hi=3600),
        )

    def config(self) -> BridgeConfig:
        service_name = self.raw("BRIDGE_SERVICE_NAME") or "iot-bridge"
        log_level = (self.raw("BRIDGE_LOG_LEVEL") or "INFO").upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(f"BRIDGE_LOG_LEVEL={log_level!r}; allowed: DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return BridgeConfig(
            broker=self.broker(service_name),
            auth=self.auth(),
            host=self.raw("BRIDGE_HOST") or "0.0.0.0",
            port=int(self.number("PORT", 3000, lo=0, hi=65535, integer=True)),
            max_frame_bytes=int(self.number("BRIDGE_MAX_FRAME_BYTES", 4096, lo=256, hi=1 << 20, integer=True)),
            max_filters_per_client=int(self.number("BRIDGE_MAX_FILTERS_PER_CLIENT", 64, lo=1, hi=10000, integer=True)),
            client_queue_bytes=int(self.number("BRIDGE_CLIENT_QUEUE_BYTES", 262144, lo=1024, hi=1 << 30, integer=True)),
            ping_interval_s=self.number("BRIDGE_PING_INTERVAL_S", 20.0, lo=0.1, hi=3600),
            close_timeout_s=self.number("BRIDGE_CLOSE_TIMEOUT_S", 5.0, lo=0.1, hi=60),
            drain_s=self.number("BRIDGE_DRAIN_S", 3.0, lo=0, hi=100),
            service_name=service_name,
            metric_namespace=self.raw("BRIDGE_METRIC_NAMESPACE") or "IotTiers/Bridge",
            metric_interval_s=self.number("BRIDGE_METRIC_INTERVAL_S", 60.0, lo=0.1, hi=3600),
            health_broker_grace_s=self.number("BRIDGE_HEALTH_BROKER_GRACE_S", 0.0, lo=0, hi=86400),
            log_level=log_level,
        )


def default_client_id(service_name: str, env: Mapping[str, str]) -> str:
    """``<service>-<ECS task id>`` on ECS (from the metadata URI), else ``<service>-<hostname>``.

    Stable for the life of the task, so a reconnect resumes the same MQTT session, and
    different for every task, so tasks never take each other's session over.

    Args:
        service_name: prefix, normally ``BRIDGE_SERVICE_NAME``.
        env: the environment; reads ``ECS_CONTAINER_METADATA_URI_V4`` (set by ECS).
    """
    uri = env.get("ECS_CONTAINER_METADATA_URI_V4") or env.get("ECS_CONTAINER_METADATA_URI")
    suffix = uri.rstrip("/").rsplit("/", 1)[-1] if uri else socket.gethostname()
    return f"{service_name}-{suffix}"[:128]
