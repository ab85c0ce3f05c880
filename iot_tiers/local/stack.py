"""What the local stack must reproduce, read from a stack's captured resources.

``tiers local`` does not invent its own names or settings: it runs the stack
program (``__main__.py`` with ``Pulumi.<stack>.yaml``, dev by default) under the
capturing harness, exactly as ``tiers preview`` does, finds the ProcessingTier and
reads off what the cloud would get: the physical names of the table, queues and
topic, the queue's visibility timeout and redrive policy, the event source
mapping's batch size and window, the IoT rule's SQL (topic filter and the level
holding the device id) and the function's handler and environment. Change
``Pulumi.dev.yaml`` and the local stack follows.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # the harness imports Pulumi and pulumi_aws: seconds to load, and to unload
    from iot_tiers.offline.harness import Capture, CapturedResource

TIER_TYPE = "iot-tiers:index:ProcessingTier"

#: Function environment variables that name cloud resources; the local stack sets
#: them to the moto resources it creates. Every other variable is passed through.
RESOURCE_VARIABLES = ("TABLE_NAME", "ALERT_TOPIC_ARN", "REJECTS_QUEUE_URL")


class PlanError(ValueError):
    """The stack has no usable ProcessingTier (or several, and none was chosen)."""


@dataclass(frozen=True)
class ProcessingPlan:
    """The ProcessingTier of one stack, as the local stack rebuilds it.

    Attributes:
        stack: the stack name (``dev``).
        tier: the tier's logical name (``processing``).
        region: ``aws:region`` of the stack.
        table_name, queue_name, dlq_name, rejects_name, topic_name: physical names
            the stack gives its resources (under the harness, Pulumi's auto-names).
        visibility_timeout_s: the telemetry queue's visibility timeout.
        max_receive_count: deliveries before a message moves to the dead-letter queue.
        batch_size: records per invocation (event source mapping).
        batch_window_s: longest wait to fill a batch (event source mapping).
        timeout_s: the function's timeout.
        memory_mb: the function's memory (reported to the handler's context).
        function_name: the function's physical name.
        handler: the handler path, ``iot_tiers_runtime.processing.handler.handler``.
        environment: the function's environment without the resource variables.
        rule_name: the IoT rule's name.
        sql: the IoT rule's SQL.
        topic_filter: the MQTT filter of the rule's ``FROM``.
        device_level: the 1-based topic level ``topic(N) AS deviceId`` reads.
    """

    stack: str
    tier: str
    region: str
    table_name: str
    queue_name: str
    dlq_name: str
    rejects_name: str
    topic_name: str
    visibility_timeout_s: int
    max_receive_count: int
    batch_size: int
    batch_window_s: int
    timeout_s: int
    memory_mb: int
    function_name: str
    handler: str
    rule_name: str
    sql: str
    topic_filter: str
    device_level: int
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def alert_threshold_celsius(self) -> float:
        return float(self.environment.get("ALERT_THRESHOLD_CELSIUS", 80))


_FROM = re.compile(r"\bFROM\s+'([^']+)'", re.IGNORECASE)
_DEVICE_LEVEL = re.compile(r"\btopic\((\d+)\)\s+AS\s+deviceId\b", re.IGNORECASE)


def plan_from_capture(capture: "Capture", tier: Optional[str] = None) -> ProcessingPlan:
    """Read the :class:`ProcessingPlan` of ``capture``'s ProcessingTier.

    Args:
        capture: a stack run by :func:`iot_tiers.offline.harness.run_stack` (``preview=False``,
            so that names and URLs are resolved).
        tier: the tier's logical name; default: the only ProcessingTier of the stack.
    """
    tiers = capture.by_type(TIER_TYPE)
    names = [t.name for t in tiers]
    if tier is not None:
        tiers = [t for t in tiers if t.name == tier]
    if not tiers:
        wanted = f" named {tier!r}" if tier else ""
        raise PlanError(f"stack {capture.stack!r} has no ProcessingTier{wanted} "
                        f"(ProcessingTiers in it: {', '.join(names) or 'none'})")
    if len(tiers) > 1:
        raise PlanError(f"stack {capture.stack!r} has {len(tiers)} ProcessingTiers "
                        f"({', '.join(names)}); choose one with --tier")
    root = tiers[0]
    children = {r.name: r for r in capture.descendants(root.urn)}

    def child(short: str) -> "CapturedResource":
        found = children.get(f"{root.name}-{short}")
        if found is None:
            raise PlanError(f"ProcessingTier {root.name!r} of stack {capture.stack!r} has no "
                            f"child {root.name}-{short} (was it removed with a transform?)")
        return found

    def name_of(short: str) -> str:
        return str(child(short).outputs.get("name") or child(short).inputs.get("name"))

    queue = child("queue").outputs
    redrive = json.loads(queue.get("redrivePolicy") or "{}")
    function = child("function").outputs
    env = dict((function.get("environment") or {}).get("variables") or {})
    mapping = child("event-source").outputs
    rule = child("rule").outputs
    sql = str(rule.get("sql") or "")
    topic_filter = _FROM.search(sql)
    level = _DEVICE_LEVEL.search(sql)
    if not topic_filter or not level:
        raise PlanError(f"cannot read the topic filter and device level from the IoT rule's SQL: {sql!r}")

    return ProcessingPlan(
        stack=capture.stack,
        tier=root.name,
        region=capture.config.get("aws:region", "us-east-1"),
        table_name=name_of("table"),
        queue_name=name_of("queue"),
        dlq_name=name_of("dlq"),
        rejects_name=name_of("rejects"),
        topic_name=name_of("topic"),
        visibility_timeout_s=int(queue.get("visibilityTimeoutSeconds") or 30),
        max_receive_count=int(redrive.get("maxReceiveCount") or 5),
        batch_size=int(mapping.get("batchSize") or 10),
        batch_window_s=int(mapping.get("maximumBatchingWindowInSeconds") or 0),
        timeout_s=int(function.get("timeout") or 3),
        memory_mb=int(function.get("memorySize") or 128),
        function_name=str(function.get("name")),
        handler=str(function.get("handler")),
        rule_name=str(rule.get("name")),
        sql=sql,
        topic_filter=topic_filter.group(1),
        device_level=int(level.group(1)),
        environment={k: str(v) for k, v in env.items() if k not in RESOURCE_VARIABLES},
    )


def load_plan(program_dir: str | Path = ".", stack: str = "dev", tier: Optional[str] = None) -> ProcessingPlan:
    """Run ``program_dir``'s stack ``stack`` (default ``dev``) under the harness and plan it.

    Raises :class:`iot_tiers.offline.harness.ProjectError` / ``ProgramError`` for a bad
    project or program, :class:`PlanError` when it has no usable ProcessingTier.
    """
    from iot_tiers.offline.harness import run_stack

    return plan_from_capture(run_stack(program_dir, stack, preview=False), tier)


class PlanProcess:
    """:func:`load_plan` in a child process (``python -m iot_tiers.local.stack``).

    Why a process: running the stack program imports Pulumi and pulumi_aws, seconds
    of CPU to load and again to unload at exit. In a child, that overlaps with
    starting mosquitto, moto and the bridge, and ``tiers local`` itself stays small
    and exits promptly.

    Args:
        program_dir: the Pulumi program directory (default ``.``).
        stack: the stack (default ``dev``).
        tier: the ProcessingTier's name (default: the only one).
    """

    def __init__(self, program_dir: str | Path = ".", stack: str = "dev", tier: Optional[str] = None) -> None:
        argv = [sys.executable, "-m", "iot_tiers.local.stack", "--program", str(program_dir), "--stack", stack]
        if tier:
            argv += ["--tier", tier]
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, start_new_session=True)

    def result(self, timeout: float = 180.0) -> ProcessingPlan:
        """The plan; raises :class:`PlanError` with the child's message when it failed."""
        try:
            out, err = self.popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.communicate()
            raise PlanError(f"reading the stack took longer than {timeout:g} s") from None
        if self.popen.returncode != 0:
            raise PlanError(err.strip() or f"reading the stack failed with status {self.popen.returncode}")
        return ProcessingPlan(**json.loads(out))

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.communicate()


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m iot_tiers.local.stack",
                                     description="Print the ProcessingTier plan of a stack as JSON.")
    parser.add_argument("--program", default=".")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--tier", default=None)
    args = parser.parse_args(argv)
    try:
        plan = load_plan(args.program, args.stack, args.tier)
    except PlanError as exc:
        print(exc, file=sys.stderr)
        return 2
    except Exception as exc:  # the harness's ProjectError / ProgramError
        print(f"cannot read stack {args.stack!r} of {args.program!r}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(plan)))
    return 0


__all__ = ["PlanError", "PlanProcess", "ProcessingPlan", "RESOURCE_VARIABLES", "load_plan", "plan_from_capture"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
