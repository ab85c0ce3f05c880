"""Pure parts of the bridge: upstream cover, config, auth, client protocol, EMF, backoff."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from iot_tiers_runtime.bridge.auth import AuthError, TokenVerifier, token_from_request
from iot_tiers_runtime.bridge.config import VARIABLES, BridgeConfig, ConfigError, default_client_id, env_table_markdown
from iot_tiers_runtime.bridge.metrics import Counters, EmfWriter
from iot_tiers_runtime.bridge.mqtt import backoff_delay
from iot_tiers_runtime.bridge.protocol import BadRequest, encode_data_frame, parse_request
from iot_tiers_runtime.bridge.topics import filter_subsumes, filters_overlap
from iot_tiers_runtime.bridge.upstream import UpstreamFilters

from .test_bridge_topics import filters

BASE_ENV = {"MQTT_BROKER_URL": "mqtt://broker:1883", "BRIDGE_JWT_SECRET": "s" * 32}

# -- upstream cover --------------------------------------------------------------------------


def test_cover_skips_filters_already_covered_and_restores_them_when_the_cover_leaves():
    up = UpstreamFilters()
    assert up.add("devices/+/telemetry")
    assert not up.add("devices/d1/telemetry")
    assert up.cover == {"devices/+/telemetry"}
    assert up.remove("devices/+/telemetry")
    assert up.cover == {"devices/d1/telemetry"}
    assert up.remove("devices/d1/telemetry")
    assert up.cover == set()


def test_cover_joins_partly_overlapping_filters_so_no_message_arrives_twice():
    up = UpstreamFilters()
    up.add("site/+/temp")
    up.add("site/a/#")
    assert up.cover == {"site/+/#"}
    up.remove("site/a/#")
    assert up.cover == {"site/+/temp"}


def test_base_filters_stay_subscribed():
    up = UpstreamFilters(["alerts/#"])
    assert up.cover == {"alerts/#"}
    assert not up.remove("alerts/#")
    up.add("alerts/fire")
    up.remove("alerts/fire")
    assert up.cover == {"alerts/#"}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), filters()), max_size=12))
def test_cover_invariants_hold_after_any_add_remove_sequence(ops):
    up = UpstreamFilters()
    wanted: set[str] = set()
    for add, filt in ops:
        if add:
            up.add(filt)
            wanted.add(filt)
        else:
            up.remove(filt)
            wanted.discard(filt)
    cover = sorted(up.cover)
    assert up.wanted == wanted
    for filt in wanted:  # every wanted filter is fully covered by exactly one cover filter
        assert sum(filter_subsumes(c, filt) for c in cover) == 1
    for i, a in enumerate(cover):  # no two cover filters overlap: one copy per message
        for b in cover[i + 1 :]:
            assert not filters_overlap(a, b)
    if not wanted:
        assert cover == []
    for c in cover:  # nothing subscribed that no wanted filter needs
        assert any(filters_overlap(c, f) for f in wanted)


# -- config ---------------------------------------------------------------------------------


def test_config_defaults():
    cfg = BridgeConfig.from_env(BASE_ENV)
    assert cfg.port == 3000 and cfg.ping_interval_s == 20 and cfg.max_frame_bytes == 4096
    assert cfg.metric_namespace == "IotTiers/Bridge" and cfg.service_name == "iot-bridge"
    assert cfg.broker.port == 1883 and not cfg.broker.tls and cfg.broker.keepalive_s == 15
    assert cfg.broker.session_expiry_s == 3600
    assert cfg.auth.algorithms == ("HS256",)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MQTT_BROKER_URL": ""}, "MQTT_BROKER_URL is required"),
        ({"MQTT_BROKER_URL": "http://x"}, "scheme must be mqtt:// or mqtts://"),
        ({"MQTT_BROKER_URL": "mqtt://u:p@x"}, "MQTT_USERNAME"),
        ({"PORT": "eighty"}, "PORT='eighty' is not an integer"),
        ({"PORT": "70000"}, "PORT='70000' is out of range"),
        ({"MQTT_KEEPALIVE_S": "60"}, "MQTT_KEEPALIVE_S='60' is out of range; allowed: 1..20"),
        ({"BRIDGE_JWT_SECRET": ""}, "exactly one of BRIDGE_JWT_SECRET"),
        ({"BRIDGE_JWT_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----"}, "exactly one of"),
        ({"BRIDGE_JWT_ALGORITHM": "RS256"}, "RS256 cannot be used with BRIDGE_JWT_SECRET"),
        ({"BRIDGE_BASE_FILTERS": "a/#/b"}, "BRIDGE_BASE_FILTERS"),
        ({"MQTT_CERT_FILE": "/etc/hostname"}, "must be set together"),
        ({"MQTT_CA_FILE": "/nonexistent.pem"}, "no such file"),
        ({"MQTT_RECONNECT_MIN_S": "10", "MQTT_RECONNECT_MAX_S": "5"}, "must be >= MQTT_RECONNECT_MIN_S"),
        ({"BRIDGE_LOG_LEVEL": "loud"}, "BRIDGE_LOG_LEVEL"),
    ],
)
def test_bad_settings_fail_with_the_variable_name_and_what_is_allowed(env, message):
    with pytest.raises(ConfigError, match=message.replace("+", r"\+").replace("(", r"\(")):
        BridgeConfig.from_env({**BASE_ENV, **env})


def test_public_key_config_selects_asymmetric_algorithms():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    env = {"MQTT_BROKER_URL": "mqtts://iot.example.com", "BRIDGE_JWT_PUBLIC_KEY": pem.decode()}
    cfg = BridgeConfig.from_env(env)
    assert cfg.auth.algorithms == ("RS256",) and cfg.broker.port == 8883 and cfg.broker.tls
    with pytest.raises(ConfigError, match="HS256 cannot be used with BRIDGE_JWT_PUBLIC_KEY"):
        BridgeConfig.from_env({**env, "BRIDGE_JWT_ALGORITHM": "HS256"})


def test_client_id_comes_from_ecs_task_metadata_else_hostname():
    env = {"ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/0123abcd-456"}
    assert default_client_id("rt", env) == "rt-0123abcd-456"
    assert default_client_id("rt", {}).startswith("rt-")
    assert BridgeConfig.from_env({**BASE_ENV, "BRIDGE_CLIENT_ID": "fixed"}).broker.client_id == "fixed"


# -- client certificate as PEM text (MQTT_CLIENT_CERT_PEM / MQTT_CLIENT_KEY_PEM) ----------------


@pytest.fixture(scope="module")
def tls_pems(tmp_path_factory):
    from .bridge_support import make_tls_material

    files = make_tls_material(tmp_path_factory.mktemp("tls"))
    return {k: v.read_text() for k, v in files.items()}


def pem_config(pems: dict[str, str], **env) -> BridgeConfig:
    return BridgeConfig.from_env({**BASE_ENV, "MQTT_BROKER_URL": "mqtts://broker:8883",
                                  "MQTT_CLIENT_CERT_PEM": pems["client_cert"],
                                  "MQTT_CLIENT_KEY_PEM": pems["client_key"], **env})


def test_a_pem_client_certificate_loads_into_the_tls_context_from_memory(tls_pems):
    cfg = pem_config(tls_pems)
    assert cfg.broker.cert_file is None and cfg.broker.client_certificate is not None
    assert "PRIVATE KEY" not in repr(cfg.broker)  # the key never lands in a log line
    context = cfg.broker.ssl_context()
    assert context.verify_mode == __import__("ssl").CERT_REQUIRED


def test_one_line_pems_with_escaped_newlines_are_accepted(tls_pems):
    one_line = {k: v.replace("\n", "\\n") for k, v in tls_pems.items()}
    assert pem_config(one_line).broker.client_certificate == pem_config(tls_pems).broker.client_certificate


@pytest.mark.parametrize("env, message", [
    ({"MQTT_CLIENT_KEY_PEM": ""}, "MQTT_CLIENT_CERT_PEM and MQTT_CLIENT_KEY_PEM must be set together"),
    ({"MQTT_CERT_FILE": "/etc/hostname", "MQTT_KEY_FILE": "/etc/hostname"}, "not both"),
    ({"MQTT_BROKER_URL": "mqtt://broker:1883"}, "need an mqtts:// MQTT_BROKER_URL"),
    ({"MQTT_CLIENT_CERT_PEM": "not a certificate"}, "MQTT_CLIENT_CERT_PEM is not a PEM certificate"),
    ({"MQTT_CLIENT_KEY_PEM": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
     "MQTT_CLIENT_KEY_PEM is not a PEM private key"),
])
def test_bad_pem_settings_name_the_variable_and_what_it_must_hold(tls_pems, env, message):
    with pytest.raises(ConfigError, match=message):
        pem_config(tls_pems, **env)


def test_a_key_that_is_not_the_certificates_is_refused_naming_both_variables(tls_pems):
    with pytest.raises(ConfigError, match="MQTT_CLIENT_KEY_PEM is not the private key of the first certificate "
                                          "in MQTT_CLIENT_CERT_PEM .subject 'CN=iot-bridge'."):
        pem_config(tls_pems, MQTT_CLIENT_KEY_PEM=tls_pems["server_key"])


def test_an_encrypted_key_is_refused_with_what_to_give_instead(tls_pems):
    key = serialization.load_pem_private_key(tls_pems["client_key"].encode(), None)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"pass")).decode()
    with pytest.raises(ConfigError, match="MQTT_CLIENT_KEY_PEM is an encrypted private key; it must be an unencrypted"):
        pem_config(tls_pems, MQTT_CLIENT_KEY_PEM=encrypted)


def test_env_table_documents_every_variable_the_code_reads():
    import inspect

    import iot_tiers_runtime.bridge.config as config_module

    table = env_table_markdown()
    source = inspect.getsource(config_module)
    for var in VARIABLES:
        assert f"`{var.name}`" in table
    read = set(__import__("re").findall(r'"((?:MQTT|BRIDGE)_[A-Z_]+|PORT)"', source))
    assert read <= {v.name for v in VARIABLES}, read - {v.name for v in VARIABLES}


# -- auth -----------------------------------------------------------------------------------


def verifier(**env) -> TokenVerifier:
    return TokenVerifier(BridgeConfig.from_env({**BASE_ENV, "BRIDGE_JWT_LEEWAY_S": "0", **env}).auth)


def test_hs256_token_yields_its_topic_claims():
    token = jwt.encode({"topics": ["a/#"], "exp": time.time() + 60, "sub": "u1"}, "s" * 32, algorithm="HS256")
    claims = verifier().verify(token)
    assert claims.topics == ("a/#",) and claims.subject == "u1"


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"topics": ["a/#"]}, 'missing the "exp" claim'),
        ({"topics": ["a/#"], "exp": 1}, "token expired"),
        ({"exp": 2**40}, "claim 'topics'"),
        ({"topics": [], "exp": 2**40}, "claim 'topics'"),
        ({"topics": "a/#", "exp": 2**40}, "claim 'topics'"),
        ({"topics": ["a/#/b"], "exp": 2**40}, "'#' must be the whole last level"),
    ],
)
def test_tokens_without_valid_claims_are_refused(payload, message):
    with pytest.raises(AuthError, match=message):
        verifier().verify(jwt.encode(payload, "s" * 32, algorithm="HS256"))


def test_audience_and_issuer_are_checked_when_configured():
    v = verifier(BRIDGE_JWT_AUDIENCE="dash", BRIDGE_JWT_ISSUER="iss")
    good = {"topics": ["a"], "exp": 2**40, "aud": "dash", "iss": "iss"}
    assert v.verify(jwt.encode(good, "s" * 32, algorithm="HS256")).topics == ("a",)
    with pytest.raises(AuthError):
        v.verify(jwt.encode({**good, "aud": "other"}, "s" * 32, algorithm="HS256"))


def test_es256_public_key_verifies_and_rejects_hmac_confusion():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    v = TokenVerifier(
        BridgeConfig.from_env(
            {"MQTT_BROKER_URL": "mqtt://b", "BRIDGE_JWT_PUBLIC_KEY": pem, "BRIDGE_JWT_ALGORITHM": "ES256"}
        ).auth
    )
    payload = {"topics": ["a/+"], "exp": 2**40}
    assert v.verify(jwt.encode(payload, key, algorithm="ES256")).topics == ("a/+",)
    # Classic algorithm confusion: an HS256 token whose HMAC secret is the public key itself.
    signing_input = b".".join(
        base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=")
        for part in ({"alg": "HS256", "typ": "JWT"}, payload)
    )
    mac = base64.urlsafe_b64encode(hmac.new(pem.encode(), signing_input, hashlib.sha256).digest()).rstrip(b"=")
    forged = (signing_input + b"." + mac).decode()
    with pytest.raises(AuthError, match="invalid token"):
        v.verify(forged)


def test_token_is_read_from_bearer_header_or_query():
    assert token_from_request("/", {"Authorization": "Bearer abc"}) == "abc"
    assert token_from_request("/ws?x=1&token=def", {}) == "def"
    with pytest.raises(AuthError, match="Bearer"):
        token_from_request("/", {"Authorization": "Token abc"})
    with pytest.raises(AuthError, match="missing token"):
        token_from_request("/?token=", {})


# -- client protocol ------------------------------------------------------------------------


def test_parse_request_accepts_subscribe_and_unsubscribe_and_dedupes():
    req = parse_request('{"action": "subscribe", "topics": ["a/+", "a/+", "b"], "id": "x"}')
    assert req.action == "subscribe" and req.topics == ("a/+", "b") and req.id == "x"
    assert parse_request('{"action": "unsubscribe", "topics": ["a"]}').action == "unsubscribe"


@pytest.mark.parametrize(
    "frame",
    [
        "",
        "{",
        "null",
        '{"topics": ["a"]}',
        '{"action": "subscribe"}',
        '{"action": "subscribe", "topics": []}',
        '{"action": "subscribe", "topics": [1]}',
        '{"action": "subscribe", "topics": ["a"], "id": {}}',
        '{"action": "subscribe", "topics": ["' + '","'.join(["a"] * 65) + '"]}',
        "[" * 100000,
        b"{}",
    ],
)
def test_parse_request_rejects_malformed_frames(frame):
    with pytest.raises(BadRequest):
        parse_request(frame)


@pytest.mark.parametrize(
    "payload, expected",
    [
        (b'{"t": 1}', {"t": 1}),
        (b" [1, 2] ", [1, 2]),
        (b"42", 42),
        (b"hello", "hello"),
        (b"", ""),
        (b"NaN", "NaN"),
        ("caf\u00e9".encode(), "caf\u00e9"),
        (b'{"a": "\\u2028"}', {"a": "\u2028"}),
    ],
)
def test_data_frame_embeds_json_payloads_and_stringifies_the_rest(payload, expected):
    frame = json.loads(encode_data_frame("t/1", payload))
    assert frame == {"topic": "t/1", "payload": expected}


def test_data_frame_base64_encodes_non_utf8_payloads():
    assert json.loads(encode_data_frame("t", b"\xff\xfe")) == {"topic": "t", "payload": "//4=", "encoding": "base64"}


# -- metrics and backoff --------------------------------------------------------------------


def test_emf_line_has_the_namespace_dimension_and_interval_deltas():
    counters = Counters()
    out = io.StringIO()
    writer = EmfWriter("IotTiers/Bridge", "svc", counters, gauges=lambda: (7, True), stream=out)
    counters.messages_delivered = 10
    writer.emit()
    counters.messages_delivered = 25
    counters.dropped_slow_clients = 1
    writer.emit()
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    meta = first["_aws"]["CloudWatchMetrics"][0]
    assert meta["Namespace"] == "IotTiers/Bridge" and meta["Dimensions"] == [["ServiceName"]]
    assert {"Name": "ActiveConnections", "Unit": "Count"} in meta["Metrics"]
    assert first["ServiceName"] == "svc" and first["ActiveConnections"] == 7
    assert (first["MessagesDelivered"], second["MessagesDelivered"]) == (10, 15)
    assert (first["DroppedSlowClients"], second["DroppedSlowClients"]) == (0, 1)
    assert second["BrokerConnected"] == 1


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    low = [backoff_delay(n, 1, 30, rand=lambda: 0.0) for n in range(8)]
    high = [backoff_delay(n, 1, 30, rand=lambda: 0.999999) for n in range(8)]
    assert low == [0.5, 1, 2, 4, 8, 15, 15, 15]
    assert all(h <= c for h, c in zip(high, [1, 2, 4, 8, 16, 30, 30, 30], strict=True))
    assert backoff_delay(1000, 1, 30) <= 30
