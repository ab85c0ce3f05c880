"""Security baseline for IAM: least privilege for the roles workloads run as.

Drawn from cdk-nag (IAM4 managed policies, IAM5 wildcards), checkov (no "*"
actions, no admin policies, no wildcard trust) and awsguard (iam-no-policies-with-admin).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from ._util import (
    UNKNOWN_STRING_VALUE, UnknownValueError, as_list, describe, each, is_unknown, json_value, require_known,
    resource_policy, stack_policy,
)
from .graph import Graph, Node
from .security_data import public_statements

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"

WORKLOAD_PRINCIPALS = ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]
ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"]


def _trusted_services(role: Node) -> Any:
    doc = json_value(role.props.get("assumeRolePolicy"))
    if is_unknown(doc):
        return doc
    services: list[str] = []
    for st in as_list((doc or {}).get("Statement") if isinstance(doc, dict) else None):
        principal = st.get("Principal") if isinstance(st, dict) else None
        if isinstance(principal, dict):
            services.extend(str(s) for s in as_list(principal.get("Service")))
    return services


def _documents(graph: Graph, role: Node) -> Iterator[tuple[str, Any]]:
    for p in each(role.props.get("inlinePolicies")):
        if isinstance(p, dict):
            yield f"inline policy '{p.get('name')}'", json_value(p.get("policy"))
    for rp in graph.dependents(role, "role", types=[ROLE_POLICY]):
        yield f"role policy '{rp.name}'", json_value(rp.props.get("policy"))
    for att in graph.dependents(role, "role", types=[ATTACHMENT]):
        for pol in graph.deps(att, "policyArn", types=[POLICY]):
            yield f"policy '{pol.name}'", json_value(pol.props.get("policy"))


def _wildcards(doc: Any, allow_service_wildcards: bool) -> list[str]:
    found = []
    for st in as_list(doc.get("Statement")) if isinstance(doc, dict) else []:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if st.get("NotAction") is not None:
            found.append(f"Allow with NotAction {st['NotAction']}")
        for action in as_list(st.get("Action")):
            if action == "*" or (not allow_service_wildcards and isinstance(action, str)
                                 and re.fullmatch(r"[a-z0-9-]+:\*", action)):
                found.append(f"action '{action}'")
    return found


def _wildcard_check(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    principals = set(config["workloadPrincipals"])
    unknown: list[str] = []
    for role in graph.of_type(ROLE):
        services = _trusted_services(role)
        label = describe(role.type, role.name)
        if is_unknown(services):
            unknown.append(f"the trust policy of {label}")
            continue
        if not principals & set(services):
            continue
        for what, doc in _documents(graph, role):
            if is_unknown(doc):
                unknown.append(f"{what} of {label}")
                continue
            hits = _wildcards(doc, config["allowServiceWildcards"])
            if hits:
                yield (f"{label} (assumed by {', '.join(sorted(principals & set(services)))}) is granted "
                       f"{', '.join(hits)} by {what}: name the actions it needs.", role.urn)
    if unknown:
        # Checked what could be checked; the rest is reported the standard way ("can't run during preview").
        raise UnknownValueError(UNKNOWN_STRING_VALUE, [", ".join(unknown)])


def _admin_policies(typ, props, config, _a) -> Iterator[str]:
    forbidden = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(" + "|".join(map(re.escape, config["forbidden"])) + r")$")
    arns = list(each(props.get("managedPolicyArns"))) if typ == ROLE else [props.get("policyArn")]
    for arn in arns:
        if isinstance(arn, str) and not is_unknown(arn) and forbidden.match(arn):
            yield f"attaches the AWS-managed policy {arn.rsplit('/', 1)[-1]}, which grants far more than a workload needs."


def _trust(_t, props, _c, _a) -> Iterator[str]:
    doc = json_value(props.get("assumeRolePolicy"))
    require_known(doc, "assumeRolePolicy")
    for sid in public_statements(doc):
        yield f"trust policy {sid} lets any principal ('*') assume the role."


POLICIES = [
    stack_policy(
        name="security-iam-no-wildcard-actions", check=_wildcard_check,
        config={
            "workloadPrincipals": {"type": "array", "items": {"type": "string"}, "default": WORKLOAD_PRINCIPALS,
                                   "description": "Service principals whose roles are workload roles."},
            "allowServiceWildcards": {"type": "boolean", "default": False,
                                      "description": "Accept 'service:*' actions (never '*')."},
        },
        description="Roles that Lambda functions, ECS tasks and EC2 instances run as are granted named actions: "
                    "no '*', no 'service:*', no NotAction.", severity=Severity.HIGH,
        remediation="List the actions the code calls (e.g. dynamodb:PutItem) on the resources it uses; the "
                    "components' grant_* helpers do this."),
    resource_policy(
        name="security-iam-no-admin-managed-policies", types=[ROLE, ATTACHMENT, POLICY_ATTACHMENT],
        check=_admin_policies,
        config={"forbidden": {"type": "array", "items": {"type": "string"}, "default": ADMIN_POLICIES,
                              "description": "AWS-managed policy names that may not be attached."}},
        description="No role gets AdministratorAccess, PowerUserAccess or IAMFullAccess.", severity=Severity.CRITICAL,
        remediation="Replace the managed policy with an inline policy naming the needed actions and resources."),
    resource_policy(
        name="security-iam-trust-no-wildcard-principal", types=[ROLE], check=_trust,
        description="Role trust policies never let any principal ('*') assume the role.", severity=Severity.CRITICAL,
        remediation="Trust one service principal (e.g. lambda.amazonaws.com) or a named account, with a condition."),
]
