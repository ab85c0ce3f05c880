"""Security baseline for load balancers (``aws.lb`` and its ``aws.alb`` alias).

Drawn from checkov (HTTPS listeners, TLS policy, dropped invalid headers, access
logs, deletion protection), cdk-nag (ELB2, ELB5) and awsguard (elb-tls-https-listeners-only).
"""

from __future__ import annotations

import json
from importlib.resources import files as resources_files
from typing import Any, Iterator, Optional

from pulumi_policy import EnforcementLevel, Severity

from ._util import as_bool, describe, dig, each, require_known, resource_policy, stack_policy
from .graph import Graph

LBS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"]
LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"]

CLASSIC_LB = "aws:elb/loadBalancer:LoadBalancer"
TARGET_GROUPS = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"]
WAF_ASSOCIATIONS = ("aws:wafv2/webAclAssociation:WebAclAssociation", "aws:wafregional/webAclAssociation:WebAclAssociation")


def tls_policies() -> dict:
    """security_elb_tls_policies.json: AWS's predefined ELB security policies by the TLS versions they allow."""
    if not _TLS:
        _TLS.update(json.loads((resources_files(__package__) / "security_elb_tls_policies.json").read_text()))
    return _TLS


_TLS: dict = {}


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
    data = tls_policies()
    name = policy or data["defaultWhenUnset"]
    if name in data["tls12AndNewer"] or name in config["allowedSslPolicies"]:
        return
    if name in data["olderThanTls12"]:
        yield (f"{protocol} listener uses security policy {name}{' (the default when sslPolicy is unset)' if not policy else ''}, "
               f"which allows TLS older than 1.2.")
    else:
        yield (f"{protocol} listener uses security policy {name}, which is not one of AWS's predefined ELB security "
               f"policies the pack knows, so the TLS versions it allows are unknown; check it with "
               f"'aws elbv2 describe-ssl-policies --names {name}' and list it in allowedSslPolicies if it allows "
               f"only TLS 1.2 and 1.3.")


def _drop_invalid_headers(_t, props, _c, _a) -> Iterator[str]:
    if not _is_alb(props):
        return
    value = props.get("dropInvalidHeaderFields")
    require_known(value, "dropInvalidHeaderFields")
    if as_bool(value) is not True:
        yield "the load balancer forwards invalid HTTP headers (dropInvalidHeaderFields is not true)."


def _access_logs(typ, props, _c, _a) -> Iterator[str]:
    value = dig(props, "accessLogs", "enabled")
    require_known(value, "accessLogs.enabled")
    if typ == CLASSIC_LB and value is None and dig(props, "accessLogs", "bucket"):
        value = True  # a classic load balancer's access_logs block is enabled unless it says otherwise
    if as_bool(value) is not True:
        yield "access logs are off: requests cannot be traced after an incident."


def _deletion_protection(_t, props, _c, _a) -> Iterator[str]:
    value = props.get("enableDeletionProtection")
    require_known(value, "enableDeletionProtection")
    if as_bool(value) is not True:
        yield "deletion protection is off (enableDeletionProtection)."


def _classic_listeners(_t, props, _c, _a) -> Iterator[str]:
    listeners = props.get("listeners")
    require_known(listeners, "listeners")
    for li in each(listeners):
        protocol = str(dig(li, "lbProtocol", default="")).upper()
        if protocol in ("HTTP", "TCP"):
            yield f"classic load balancer listener on port {dig(li, 'lbPort')} accepts plain {protocol}, not HTTPS/SSL."


def _desync(_t, props, _c, _a) -> Iterator[str]:
    if props.get("loadBalancerType") in ("network", "gateway"):
        return  # desync mitigation is an HTTP (Application and Classic Load Balancer) setting
    mode = props.get("desyncMitigationMode")
    require_known(mode, "desyncMitigationMode")
    if str(mode or "defensive").lower() == "monitor":
        yield ("desync mitigation is 'monitor': requests that could smuggle a second request (HTTP desync) are "
               "forwarded; use 'defensive' (the default) or 'strictest'.")


def _internet_facing_albs(graph: Graph) -> Iterator[Any]:
    for lb in graph.of_type(*LBS):
        if _is_alb(lb.props) and as_bool(lb.props.get("internal")) is not True:
            yield lb


def _waf(graph: Graph, _config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for lb in _internet_facing_albs(graph):
        if not graph.dependents(lb, "resourceArn", types=WAF_ASSOCIATIONS):
            yield (f"{describe(lb.type, lb.name)} faces the internet with no web ACL (aws.wafv2.WebAclAssociation): "
                   f"nothing filters common exploits or floods before they reach the targets.", lb.urn)


def _target_protocol(_t, props, _c, _a) -> Iterator[str]:
    protocol = props.get("protocol")
    require_known(protocol, "protocol")
    if str(protocol or "").upper() == "HTTP" and str(props.get("targetType") or "instance") != "lambda":
        yield ("the target group speaks plain HTTP to its targets: requests leave the load balancer unencrypted "
               "inside the VPC (protocol HTTPS encrypts them; the load balancer accepts the targets' certificates).")


POLICIES = [
    resource_policy(
        name="security-lb-https-listeners", types=LISTENERS, check=_https,
        description="Load balancer listeners use HTTPS/TLS; a plain HTTP listener only redirects to HTTPS.",
        severity=Severity.HIGH,
        remediation="Serve HTTPS with an ACM certificate, and make port 80's default action a redirect to "
                    "HTTPS (status HTTP_301)."),
    resource_policy(
        name="security-lb-tls12-policy", types=LISTENERS, check=_tls_policy,
        config={"allowedSslPolicies": {"type": "array", "items": {"type": "string"}, "default": [],
                                       "description": "Security policies accepted besides AWS's predefined TLS 1.2+ "
                                                      "ones (security_elb_tls_policies.json)."}},
        description="HTTPS and TLS listeners use a security policy that allows only TLS 1.2 and 1.3 (AWS's "
                    "TLS13-1-2, TLS13-1-3, TLS-1-2 and FS-1-2 policies, FIPS and post-quantum ones included); a "
                    "policy name the pack does not know is reported as unknown.", severity=Severity.MEDIUM,
        remediation="Set sslPolicy to ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 (AWS's recommendation) or another "
                    "TLS 1.2+ policy, e.g. a FIPS one where FIPS 140 is required."),
    resource_policy(
        name="security-lb-drop-invalid-headers", types=LBS, check=_drop_invalid_headers,
        description="Application load balancers drop invalid HTTP header fields.", severity=Severity.MEDIUM,
        remediation="Set dropInvalidHeaderFields: true."),
    resource_policy(
        name="security-lb-access-logs", types=[*LBS, CLASSIC_LB], check=_access_logs,
        description="Load balancers write access logs.", severity=Severity.LOW,
        remediation="Set accessLogs = {enabled: true, bucket: <a log bucket the ELB account may write to>}."),
    resource_policy(
        name="security-lb-classic-listeners-encrypted", types=[CLASSIC_LB], check=_classic_listeners,
        description="Classic load balancers listen with HTTPS or SSL only.", severity=Severity.HIGH,
        remediation="Use lbProtocol HTTPS (or SSL) with an ACM certificate, or move to an Application Load Balancer."),
    resource_policy(
        name="security-lb-desync-mitigation", types=[*LBS, CLASSIC_LB], check=_desync,
        description="Load balancers mitigate HTTP desync (desyncMitigationMode defensive or strictest, not monitor).",
        severity=Severity.MEDIUM, remediation="Remove desyncMitigationMode (defensive) or set it to 'strictest'."),
    stack_policy(
        name="security-lb-waf", check=_waf,
        enforcement_level=EnforcementLevel.ADVISORY,
        description="Internet-facing Application Load Balancers have a WAF web ACL associated.", severity=Severity.LOW,
        remediation="Associate an aws.wafv2.WebAcl (e.g. AWS managed rule groups with a rate-based rule) through "
                    "aws.wafv2.WebAclAssociation."),
    resource_policy(
        name="security-lb-https-to-targets", types=TARGET_GROUPS, check=_target_protocol,
        enforcement_level=EnforcementLevel.ADVISORY,
        description="Target groups reach their targets over HTTPS, not plain HTTP.", severity=Severity.LOW,
        remediation="Set protocol 'HTTPS' on the target group and serve TLS on the targets (a self-signed "
                    "certificate suffices: the load balancer does not validate it)."),
    resource_policy(
        name="security-lb-deletion-protection", types=LBS, check=_deletion_protection,
        description="Load balancers have deletion protection.", severity=Severity.LOW,
        remediation="Set enableDeletionProtection: true."),
]
