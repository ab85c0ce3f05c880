"""Security baseline for AWS IoT Core, which neither checkov nor awsguard checks.

* IoT policies grant named actions on named resources (no ``iot:*``, no ``*`` resource);
* a device may publish only to topics that contain its own client id or thing name
  (``${iot:ClientId}``, ``${iot:Connection.Thing.ThingName}``), so one stolen certificate
  cannot speak for every device;
* topic rules keep what fails (an error action);
* certificates are not left ACTIVE without a policy attached (an identity nobody governs).
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from ._documents import actions, allows, document_input, granted, resources
from ._util import as_bool, describe, is_unknown, resource_policy, stack_policy
from .graph import Graph

POLICY = "aws:iot/policy:Policy"
TOPIC_RULE = "aws:iot/topicRule:TopicRule"
CERTIFICATE = "aws:iot/certificate:Certificate"
POLICY_ATTACHMENT = "aws:iot/policyAttachment:PolicyAttachment"

#: Policy variables that name the connected device.
DEVICE_VARIABLES = ("${iot:ClientId}", "${iot:Connection.Thing.ThingName}", "${iot:Certificate.",
                    "${iot:Connection.Thing.Attributes[")


def _least_privilege(_t, props, _c, _a) -> Iterator[str]:
    for label, st in allows(document_input(props)):
        wild = [a for a in actions(st) if a in ("*", "iot:*")]
        if wild:
            yield f"statement {label} grants every IoT action ({', '.join(wild)}); name the actions (iot:Connect, iot:Publish, ...)."
        if "*" in resources(st):
            yield f"statement {label} applies to every resource ('*'); name the client, topic and topic filter ARNs."


def _device_topics(_t, props, _c, _a) -> Iterator[str]:
    for label, st in allows(document_input(props)):
        if not granted(st, ["iot:Publish"]):
            continue
        for arn in resources(st):
            if arn == "*" or ":topic/" in arn or arn.endswith(":topic"):
                if not any(v in arn for v in DEVICE_VARIABLES):
                    yield (f"statement {label} lets a device publish to {arn}, which does not contain its own client "
                           f"id or thing name: one certificate could publish as every device (use "
                           f"topic/devices/${{iot:Connection.Thing.ThingName}}/...).")


def _error_action(_t, props, _c, _a) -> Iterator[str]:
    value = props.get("errorAction")
    if value is None:
        yield ("the topic rule has no error action: a message its action fails to deliver (throttling, a missing "
               "queue, a denied role) is dropped silently.")


def _certificates(graph: Graph, _c: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for cert in graph.of_type(CERTIFICATE):
        active = cert.props.get("active")
        if is_unknown(active) or as_bool(active) is not True:
            continue
        if not graph.dependents(cert, "target", types=[POLICY_ATTACHMENT]):
            yield (f"{describe(cert.type, cert.name)} is ACTIVE with no IoT policy attached: a credential that can "
                   f"connect once someone attaches a policy, and that nothing in the stack governs.", cert.urn)


POLICIES = [
    resource_policy(
        name="security-iot-policy-least-privilege", types=[POLICY], check=_least_privilege,
        description="IoT policies grant named IoT actions (not iot:* or *) on named resources (not '*').",
        severity=Severity.HIGH,
        remediation="List iot:Connect on client/${iot:ClientId}, iot:Publish and iot:Receive on topic/..., "
                    "iot:Subscribe on topicfilter/... ."),
    resource_policy(
        name="security-iot-device-publishes-own-topics", types=[POLICY], check=_device_topics,
        description="IoT policies let a device publish only to topics that contain its own client id or thing "
                    "name (${iot:ClientId}, ${iot:Connection.Thing.ThingName}).", severity=Severity.HIGH,
        remediation="Write the publish resource as arn:aws:iot:<region>:<account>:topic/devices/"
                    "${iot:Connection.Thing.ThingName}/telemetry (and connect as client/${iot:Connection.Thing.ThingName})."),
    resource_policy(
        name="security-iot-topic-rule-error-action", types=[TOPIC_RULE], check=_error_action,
        description="IoT topic rules have an error action.", severity=Severity.MEDIUM,
        remediation="Add errorAction (an SQS queue, a CloudWatch log group or an S3 bucket) so failed deliveries "
                    "are kept."),
    stack_policy(
        name="security-iot-certificate-attached", check=_certificates,
        description="IoT certificates are not left ACTIVE without an IoT policy attached.", severity=Severity.MEDIUM,
        remediation="Attach a policy (aws.iot.PolicyAttachment with target=certificate.arn), or create the "
                    "certificate inactive (active=False) until it is provisioned."),
]
