"""Security baseline for IAM: least privilege for roles and every identity policy document.

* workload roles (Lambda, ECS tasks, EC2) are granted named actions;
* no policy grants administrator access by any path: an AWS-managed admin policy attached
  or listed in managedPolicyArns, or a customer-managed, role, user or group policy (or a
  role's inline policy) allowing '*' or iam:* on every resource;
* no policy opens a privilege-escalation path, permissions management or credential-returning
  actions on '*', nor writes (or reads data) on '*' where AWS lets the action be limited to ARNs
  (security_iam_actions.json: AWS's access levels, cloudsplaining's risk lists);
* trust policies name who may assume a role: never '*', never a whole account without a condition.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files as resources_files
from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from ._documents import ACCOUNT_PRINCIPAL, actions, allows, aws_principals, granted, resources
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


# ---------------------------------------------------------------- any identity policy document

USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
#: Resources whose ``policy`` input is an identity policy document (roles carry theirs inline).
DOCUMENT_TYPES = [POLICY, ROLE_POLICY, USER_POLICY, GROUP_POLICY, ROLE]


def _identity_documents(typ, props) -> Iterator[tuple[str, Any]]:
    """``(what, document)`` for the identity policies a resource carries, unknowns raised the standard way."""
    if typ == ROLE:
        for i, p in enumerate(each(props.get("inlinePolicies"))):
            if isinstance(p, dict) and p.get("policy") is not None:
                doc = json_value(p.get("policy"))
                require_known(doc, f"inlinePolicies.{i}.policy")
                yield f"inline policy '{p.get('name')}'", doc
        return
    doc = json_value(props.get("policy"))
    require_known(doc, "policy")
    yield "the policy", doc


def _unscoped(st: dict[str, Any]) -> bool:
    """An Allow on every resource ('*'), with no condition to narrow it."""
    return "*" in resources(st) and not st.get("Condition")


def _admin_documents(typ, props, _c, _a) -> Iterator[str]:
    for what, doc in _identity_documents(typ, props):
        for label, st in allows(doc):
            if "*" not in resources(st):
                continue
            if "*" in actions(st) or st.get("NotAction") is not None:
                yield f"{what} grants administrator access: {label} allows every action on every resource."
            elif any(a.lower() == "iam:*" for a in actions(st)):
                yield f"{what} grants full IAM access (iam:*) on every resource in {label}: that is administrator access."


def _escalation(typ, props, _c, _a) -> Iterator[str]:
    data = iam_actions()
    management = [a for svc, levels in data["constrainable"].items()
                  for a in (f"{svc}:{n}" for n in levels.get("Permissions management", []))]
    for what, doc in _identity_documents(typ, props):
        unscoped = [st for _l, st in allows(doc) if _unscoped(st) and "*" not in actions(st)]
        if not unscoped:
            continue
        allowed = {a.lower() for st in unscoped for a in granted(st, sorted({x for m in data["privilegeEscalation"].values()
                                                                              for x in m}))}
        for method, needed in data["privilegeEscalation"].items():
            if set(needed) <= allowed:
                yield (f"{what} allows privilege escalation ({method}: {', '.join(needed)}) on every resource.")
        found = sorted({a for st in unscoped for a in granted(st, management)})
        if found:
            yield (f"{what} allows permissions management on every resource ({_few(found)}): whoever holds it can "
                   f"grant itself more; name the resources.")
        creds = sorted({a for st in unscoped for a in granted(st, data["credentialsExposure"])})
        if creds:
            yield f"{what} allows actions that return credentials on every resource ({_few(creds)})."


def _unscoped_write(typ, props, _c, _a) -> Iterator[str]:
    data = iam_actions()
    writes = [f"{svc}:{n}" for svc, levels in data["constrainable"].items() for n in levels.get("Write", [])]
    for what, doc in _identity_documents(typ, props):
        unscoped = [st for _l, st in allows(doc) if _unscoped(st) and "*" not in actions(st)]
        found = sorted({a for st in unscoped for a in granted(st, writes)})
        if found:
            yield (f"{what} allows write actions on every resource ({_few(found)}) although each can be limited "
                   f"to named resources.")
        reads = sorted({a for st in unscoped for a in granted(st, data["dataExfiltration"])})
        if reads:
            yield f"{what} allows reading data on every resource ({_few(reads)}): name the buckets, parameters or secrets."


def _few(items: list[str], n: int = 4) -> str:
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


_IAM_ACTIONS: dict[str, Any] = {}


def iam_actions() -> dict[str, Any]:
    """security_iam_actions.json (AWS's access levels and cloudsplaining's risk lists), read once."""
    if not _IAM_ACTIONS:
        text = (resources_files(__package__) / "security_iam_actions.json").read_text()
        _IAM_ACTIONS.update(json.loads(text))
    return _IAM_ACTIONS


def _trust_account(_t, props, _c, _a) -> Iterator[str]:
    doc = json_value(props.get("assumeRolePolicy"))
    require_known(doc, "assumeRolePolicy")
    for label, st in allows(doc):
        accounts = [p for p in aws_principals(st) if ACCOUNT_PRINCIPAL.match(p)]
        if accounts and not st.get("Condition"):
            yield (f"trust policy {label} lets every principal of account(s) {', '.join(accounts)} assume the role; "
                   f"name the role or user (or add a condition such as aws:PrincipalArn or sts:ExternalId).")


def _user_policies(typ, props, _c, _a) -> Iterator[str]:
    if typ == POLICY_ATTACHMENT:
        users = [u for u in each(props.get("users")) if not is_unknown(u)]
        if users:
            yield f"attaches a policy to IAM user(s) {', '.join(map(str, users))}; attach it to a group or role."
    else:
        yield "gives an IAM user a policy of its own; grant permissions through a group or a role."


POLICIES += [
    resource_policy(
        name="security-iam-no-admin-policies", types=DOCUMENT_TYPES, check=_admin_documents,
        description="No identity policy (customer-managed, role, user or group policy, or a role's inline policy) "
                    "grants administrator access: '*' or NotAction, or iam:*, on every resource.",
        severity=Severity.CRITICAL,
        remediation="List the actions the principal needs on the resources it uses."),
    resource_policy(
        name="security-iam-no-privilege-escalation", types=DOCUMENT_TYPES, check=_escalation,
        description="No identity policy lets its holder raise its own privileges on every resource: the privilege "
                    "escalation paths (iam:PassRole with a service that runs code, iam:CreatePolicyVersion, "
                    "iam:AttachRolePolicy, ...), permissions management, or actions that return credentials.",
        severity=Severity.HIGH,
        remediation="Name the resources (the one role a service may pass, the policies it may change) or add a "
                    "condition such as iam:PassedToService."),
    resource_policy(
        name="security-iam-no-unscoped-write", types=DOCUMENT_TYPES, check=_unscoped_write,
        description="Identity policies grant write actions, and reads of data (s3:GetObject, "
                    "secretsmanager:GetSecretValue, ssm:GetParameter*), on named resources whenever the action "
                    "can be limited to them, not on '*'.", severity=Severity.MEDIUM,
        remediation="Replace Resource '*' with the ARNs the code uses (the components' grant_* helpers do), or "
                    "add a condition that narrows it."),
    resource_policy(
        name="security-iam-trust-no-whole-account", types=[ROLE], check=_trust_account,
        description="Role trust policies name the role or user that may assume them, not a whole account, unless "
                    "a condition narrows it.", severity=Severity.HIGH,
        remediation="Trust arn:aws:iam::<account>:role/<name>, or keep the account and add a condition "
                    "(aws:PrincipalArn, sts:ExternalId)."),
    resource_policy(
        name="security-iam-no-user-policies", types=[POLICY_ATTACHMENT, USER_POLICY, USER_ATTACHMENT],
        check=_user_policies,
        description="Policies are granted to groups and roles, not to individual IAM users.", severity=Severity.LOW,
        remediation="Put the users in a group and attach the policy to the group, or have them assume a role."),
]
