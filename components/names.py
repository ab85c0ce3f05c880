"""Physical names that must be unique in an AWS account and region.

Most children are left to Pulumi's auto-naming (the logical name plus a random suffix), which
never clashes. A few names are fixed because something else must know them up front: an IoT
rule (no auto-name in pulumi-aws), the log groups (their path is the operator's index), the
ECS service and task family (the bridge's metric dimension and the scaling policy's). Those
always carry the Pulumi project and stack, so two stacks, or two teams' projects, in one account
never create the same name (a second ``pulumi up`` would fail with ResourceAlreadyExists).

Each service has its own charset and length limit (from botocore's service models: iot
CreateTopicRule ``ruleName`` ``^[a-zA-Z0-9_]+$`` up to 128; logs CreateLogGroup ``logGroupName``
``[.\\-_/#A-Za-z0-9]+`` up to 512; ECS service names and task families: "up to 255 letters,
numbers, hyphens and underscores", ECS API reference). A character outside the charset becomes
the separator; a name over the limit is cut and ends in 8 hex digits of the whole name's SHA-256,
so it stays unique and is the same on every run.
"""

import hashlib
import re

import pulumi

#: Characters each service accepts in the names we fix (everything else is replaced).
IOT_RULE_CHARS = re.compile(r"[^A-Za-z0-9_]")
LOG_GROUP_CHARS = re.compile(r"[^.\-_/#A-Za-z0-9]")
ECS_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")

IOT_RULE_MAX = 128
LOG_GROUP_MAX = 512
ECS_NAME_MAX = 255
#: The ECS service's name is also the start of the bridge's MQTT client id,
#: ``<service>-<32-hex task id>``, which IoT Core allows up to 128 bytes: 64 keeps the task id whole,
#: so no two tasks ever share (and take over) one MQTT session.
ECS_SERVICE_NAME_MAX = 64
#: application-autoscaling PutScalingPolicy ``PolicyName``.
SCALING_POLICY_NAME_MAX = 256


def bounded(name: str, max_len: int, sep: str = "-") -> str:
    """``name`` if it fits, else its first characters, ``sep`` and a digest of the whole of it."""
    if len(name) <= max_len:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:max_len - len(digest) - len(sep)]}{sep}{digest}"


def scoped(*parts: str, sep: str, disallowed: re.Pattern[str], max_len: int) -> str:
    """``project<sep>stack<sep>part...``, each part cleaned to the charset, within ``max_len``."""
    cleaned = [disallowed.sub(sep, p) for p in (pulumi.get_project(), pulumi.get_stack(), *parts)]
    return bounded(sep.join(cleaned), max_len, sep)


def iot_rule_name(*parts: str) -> str:
    """An IoT topic rule name: letters, digits and underscores only."""
    return scoped(*parts, sep="_", disallowed=IOT_RULE_CHARS, max_len=IOT_RULE_MAX)


def log_group_name(*parts: str) -> str:
    """``/iot-tiers/<project>/<stack>/<part>/...``."""
    path = "/".join(LOG_GROUP_CHARS.sub("-", p) for p in (pulumi.get_project(), pulumi.get_stack(), *parts))
    return bounded(f"/iot-tiers/{path}", LOG_GROUP_MAX)


def ecs_name(*parts: str) -> str:
    """An ECS service name (also its task family), within the bridge's client-id budget."""
    return scoped(*parts, sep="-", disallowed=ECS_NAME_CHARS, max_len=min(ECS_NAME_MAX, ECS_SERVICE_NAME_MAX))
