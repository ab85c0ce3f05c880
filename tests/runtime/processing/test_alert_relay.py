"""The alert relay Lambda: SNS alert -> MQTT alerts/<deviceId> on IoT Core (moto's iot-data)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iotdata.models import iotdata_backends

from iot_tiers_runtime.processing import alert_relay
from iot_tiers_runtime.processing.alerts import alert_from_notification, alerts_from_lambda_event

# moto routes the generic data-plane host; a real account has its own <id>-ats host.
ENDPOINT = "https://data-ats.iot.us-east-1.amazonaws.com"


def sns_record(message: str, device_attr: str | None = None) -> dict:
    attrs = {"deviceId": {"Type": "String", "Value": device_attr}} if device_attr else {}
    return {"EventSource": "aws:sns", "Sns": {"Type": "Notification", "Message": message,
                                              "MessageAttributes": attrs, "Subject": "High temperature"}}


@pytest.fixture
def relay_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("IOT_DATA_ENDPOINT", ENDPOINT)
    monkeypatch.delenv("ALERT_TOPIC_PREFIX", raising=False)
    alert_relay._client = None
    with mock_aws():
        yield iotdata_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    alert_relay._client = None


def test_each_alert_is_published_on_its_devices_alert_topic(relay_env):
    alert = {"deviceId": "sensor-7", "temperature": 91.5, "timestamp": "2026-11-26T12:00:00.000Z"}
    result = alert_relay.handler({"Records": [sns_record(json.dumps(alert))]}, None)
    assert result == {"relayed": 1}
    (topic, payload), = relay_env.published_payloads
    assert topic == "alerts/sensor-7"
    assert json.loads(payload) == alert


def test_the_device_comes_from_the_attribute_when_the_alert_lacks_it_and_is_made_topic_safe(relay_env):
    alert_relay.handler({"Records": [sns_record('{"temperature": 99}', device_attr="line/4+#")]}, None)
    (topic, _), = relay_env.published_payloads
    assert topic == "alerts/line_4__"


def test_prefix_comes_from_the_environment(relay_env, monkeypatch):
    monkeypatch.setenv("ALERT_TOPIC_PREFIX", "plant-7/alerts/")
    alert_relay.handler({"Records": [sns_record('{"deviceId": "d1", "temperature": 90}')]}, None)
    assert [t for t, _ in relay_env.published_payloads] == ["plant-7/alerts/d1"]


def test_a_failed_publish_raises_so_lambda_retries_the_event(relay_env):
    client = alert_relay._iot_data()

    def refuse(**_):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Publish")
    client.meta.events.register("before-call.iot-data.Publish", refuse)
    with pytest.raises(ClientError):
        alert_relay.handler({"Records": [sns_record('{"deviceId": "d1", "temperature": 90}')]}, None)
    assert relay_env.published_payloads == []


def test_a_missing_endpoint_is_named_in_the_error(monkeypatch):
    monkeypatch.delenv("IOT_DATA_ENDPOINT", raising=False)
    alert_relay._client = None
    with pytest.raises(alert_relay.RelayConfigurationError, match="IOT_DATA_ENDPOINT is not set"):
        alert_relay.handler({"Records": []}, None)


def test_cloud_relay_and_local_relay_shape_an_alert_the_same_way():
    # The same alert, as SNS hands it to a Lambda and as an SQS subscription receives it.
    message = json.dumps({"deviceId": "d9", "temperature": 88})
    attrs = {"deviceId": {"Type": "String", "Value": "d9"}}
    via_lambda = list(alerts_from_lambda_event({"Records": [{"Sns": {"Message": message, "MessageAttributes": attrs}}]}))
    via_sqs = alert_from_notification(json.dumps({"Type": "Notification", "Message": message,
                                                  "MessageAttributes": attrs}))
    assert via_lambda == [via_sqs] == [("d9", {"deviceId": "d9", "temperature": 88})]
