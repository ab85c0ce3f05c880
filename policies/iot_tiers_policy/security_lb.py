"""Security baseline for load balancers (``aws.lb`` and its ``aws.alb`` alias).

Drawn from checkov (HTTPS listeners, TLS policy, dropped invalid headers, access
logs, deletion protection), cdk-nag (ELB2, ELB5) and awsguard (elb-tls-https-listeners-only).
"""

from __future__ import annotations

from typing import Iterator

from pulumi_policy import Severity

from ._util import as_bool, dig, each, require_known, resource_policy

LBS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"]
LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"]

#: ELB security policies that allow only TLS 1.2 and newer.
TLS12_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08", "ELBSecurityPolicy-FS-1-2-Res-2020-10",
]


def _is_alb(props) -> bool:
    return (props.get("loadBalancerType") or "application") == "application"


def _https(_t, props, _c, _a) -> Iterator[str]:
    protocol = props.get("protocol")
    require_known(protocol, "protocol")
    if str(protocol or "").upper() != "HTTP":
        return
    actions = props.get("defaultActions")
    require_known(actions, "defaultActions")
    for a in each(actions):
        if dig(a, "type") == "redirect" and str(dig(a, "redirect", "protocol", default="")).upper() == "HTTPS":
            return
    port = props.get("port")
    port = int(port) if isinstance(port, (int, float)) else port
    yield f"listener on port {port} serves plain HTTP instead of redirecting to HTTPS."


def _tls_policy(_t, props, config, _a) -> Iterator[str]:
    protocol = str(props.get("protocol") or "").upper()
    if protocol not in ("HTTPS", "TLS"):
        return
    policy = props.get("sslPolicy")
    require_known(policy, "sslPolicy")
    if policy not in config["allowedSslPolicies"]:
        yield (f"{protocol} listener uses security policy {policy or 'ELBSecurityPolicy-2016-08 (the default)'}, "
               f"which allows TLS older than 1.2.")


def _drop_invalid_headers(_t, props, _c, _a) -> Iterator[str]:
    if not _is_alb(props):
        return
    value = props.get("dropInvalidHeaderFields")
    require_known(value, "dropInvalidHeaderFields")
    if as_bool(value) is not True:
        yield "the load balancer forwards invalid HTTP headers (dropInvalidHeaderFields is not true)."


def _access_logs(_t, props, _c, _a) -> Iterator[str]:
    value = dig(props, "accessLogs", "enabled")
    require_known(value, "accessLogs.enabled")
    if as_bool(value) is not True:
        yield "access logs are off: requests cannot be traced after an incident."


def _deletion_protection(_t, props, _c, _a) -> Iterator[str]:
    value = props.get("enableDeletionProtection")
    require_known(value, "enableDeletionProtection")
    if as_bool(value) is not True:
        yield "deletion protection is off (enableDeletionProtection)."


POLICIES = [
    resource_policy(
        name="security-lb-https-listeners", types=LISTENERS, check=_https,
        description="Load balancer listeners use HTTPS/TLS; a plain HTTP listener only redirects to HTTPS.",
        severity=Severity.HIGH,
        remediation="Serve HTTPS with an ACM certificate, and make port 80's default action a redirect to "
                    "HTTPS (status HTTP_301)."),
    resource_policy(
        name="security-lb-tls12-policy", types=LISTENERS, check=_tls_policy,
        config={"allowedSslPolicies": {"type": "array", "items": {"type": "string"}, "default": TLS12_POLICIES,
                                       "description": "ELB security policies accepted on HTTPS/TLS listeners."}},
        description="HTTPS and TLS listeners refuse TLS older than 1.2.", severity=Severity.MEDIUM,
        remediation="Set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another policy from the list)."),
    resource_policy(
        name="security-lb-drop-invalid-headers", types=LBS, check=_drop_invalid_headers,
        description="Application load balancers drop invalid HTTP header fields.", severity=Severity.MEDIUM,
        remediation="Set dropInvalidHeaderFields: true."),
    resource_policy(
        name="security-lb-access-logs", types=LBS, check=_access_logs,
        description="Load balancers write access logs.", severity=Severity.LOW,
        remediation="Set accessLogs = {enabled: true, bucket: <a log bucket the ELB account may write to>}."),
    resource_policy(
        name="security-lb-deletion-protection", types=LBS, check=_deletion_protection,
        description="Load balancers have deletion protection.", severity=Severity.LOW,
        remediation="Set enableDeletionProtection: true."),
]
