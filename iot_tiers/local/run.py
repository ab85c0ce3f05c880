"""``tiers local``: the whole backend on one machine, with a live dashboard.

What runs, and what each part stands in for:

=====================  ===============================  =====================================
part                   here                             in the cloud
=====================  ===============================  =====================================
broker                 mosquitto (child process)        AWS IoT Core
devices                :mod:`.simulator` (in process)   your fleet
IoT rule               :mod:`.rule` (in process)        the ProcessingTier's topic rule
table, queues, topic   moto server (child process)      DynamoDB, SQS (+DLQ, rejects), SNS
handler                :mod:`.poller` (child process)   Lambda + its SQS event source mapping
alerts to dashboards   :mod:`.relay` (in process)       (an SNS subscription republishing to IoT)
bridge                 ``python -m iot_tiers_runtime.bridge``     the RealtimeTier's Fargate service
dashboard              :mod:`.web` + ``dashboard/``     any dashboard with a bridge token
=====================  ===============================  =====================================

Stopping (Ctrl-C, SIGTERM or the end of ``--duration``): the simulator stops
first; then the run drains (waits, at most ``drain_timeout`` seconds, until every
published reading has reached the rule and the queue is empty); the handler's
poller finishes its batch and exits; the books are closed (:mod:`.summary`); then
every other process is stopped and the temporary directory removed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, TextIO

from . import aws as local_aws
from .bridge import Bridge, mint_token, start_bridge
from .broker import Broker, MissingProgram, find_mosquitto, start_broker
from .processes import Child, StartError, Workdir, start
from .relay import ALERT_TOPIC_PREFIX, AlertRelay
from .rule import RuleStandIn
from .simulator import ReadingFactory, Simulator
from .stack import PlanError, PlanProcess, ProcessingPlan
from .status import Snapshot, StatusWriter, bridge_clients
from .summary import Where, format_account, reconcile
from .web import DashboardServer

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2

#: Children are stopped in this order: the consumer of the queue first, the broker last
#: (the bridge disconnects from it cleanly before it goes).
STOP_ORDER = ("handler", "bridge", "moto", "mosquitto")


@dataclass
class LocalOptions:
    """Options of ``tiers local`` (each is also a command-line flag).

    Attributes:
        devices: simulated devices (default 5).
        rate: messages per second per device (default 1.0).
        bad_share: share of readings that are bad: out of range, malformed or not JSON
            (default 0.1).
        hot_share: share of the good readings above the alert threshold (default 0.05).
        duration: seconds to run; None (default) runs until Ctrl-C.
        port_dashboard: port of the dashboard page; 0 (default) picks a free one.
        json_summary: print the summary as one JSON object on the last line (default False).
        program: the Pulumi program directory (default ``.``).
        stack: the stack whose ProcessingTier is rebuilt (default ``dev``).
        tier: the ProcessingTier's logical name, when the stack has several (default None).
        drain_timeout: longest wait for the queue to empty after the simulator stops (default 15 s).
        seed: random seed of the simulator, for repeatable runs (default None).
        status_interval: seconds between status lines when stdout is not a TTY (default 5).
    """

    devices: int = 5
    rate: float = 1.0
    bad_share: float = 0.1
    hot_share: float = 0.05
    duration: Optional[float] = None
    port_dashboard: int = 0
    json_summary: bool = False
    program: str = "."
    stack: str = "dev"
    tier: Optional[str] = None
    drain_timeout: float = 15.0
    seed: Optional[int] = None
    status_interval: float = 5.0

    def problems(self) -> list[str]:
        """Every bad option, each naming the flag, the value and what is allowed."""
        out = []
        if not 1 <= self.devices <= 10_000:
            out.append(f"--devices {self.devices}: allowed 1 to 10000")
        if not 0 < self.rate <= 1000:
            out.append(f"--rate {self.rate:g}: allowed a number of messages per second per device above 0, at most 1000")
        if self.devices * self.rate > 5000:
            out.append(f"--devices {self.devices} x --rate {self.rate:g} = {self.devices * self.rate:g} msg/s: "
                       "allowed at most 5000 msg/s in total on one machine")
        if not 0 <= self.bad_share <= 1:
            out.append(f"--bad-share {self.bad_share:g}: allowed a share from 0 to 1")
        if not 0 <= self.hot_share <= 1:
            out.append(f"--hot-share {self.hot_share:g}: allowed a share from 0 to 1")
        if self.duration is not None and not 0 < self.duration <= 7 * 86400:
            out.append(f"--duration {self.duration:g}: allowed seconds above 0, at most 604800 (a week)")
        if not 0 <= self.port_dashboard <= 65535:
            out.append(f"--port-dashboard {self.port_dashboard}: allowed 0 (any free port) to 65535")
        if not 0 <= self.drain_timeout <= 600:
            out.append(f"--drain-timeout {self.drain_timeout:g}: allowed 0 to 600 seconds")
        return out


@dataclass
class _Stack:
    """Everything started, so that shutdown can stop exactly what is there."""

    workdir: Optional[Workdir] = None
    broker: Optional[Broker] = None
    moto: Optional[local_aws.Moto] = None
    bridge: Optional[Bridge] = None
    poller: Optional[Child] = None
    resources: Optional[local_aws.Resources] = None
    rule: Optional[RuleStandIn] = None
    relay: Optional[AlertRelay] = None
    simulator: Optional[Simulator] = None
    dashboard: Optional[DashboardServer] = None
    children: list[Child] = field(default_factory=list)


def run_local(options: LocalOptions, out: Optional[TextIO] = None) -> int:
    """Run the local stack with ``options``; returns the exit status (0, 1 or 2).

    0: the run ended and every reading is accounted for; 1: a reading is unaccounted
    for, ended somewhere it should not have, or a process died mid-run; 2: the local
    stack could not be set up (bad option, missing program, stack config error).
    """
    out = out or sys.stdout
    problems = options.problems()
    if problems:
        print("tiers local: " + "; ".join(problems), file=sys.stderr)
        return EXIT_ERROR
    return asyncio.run(_Run(options, out).main())


class _Run:
    def __init__(self, options: LocalOptions, out: TextIO) -> None:
        self.o = options
        self.status = StatusWriter(out, interval=options.status_interval)
        self.out = out
        self.s = _Stack()
        self.stop = asyncio.Event()
        self.hurry = False
        self.failure: Optional[str] = None
        self.started_at = 0.0

    def say(self, text: str) -> None:
        self.status.print(text)

    # ------------------------------------------------------------------ lifecycle
    async def main(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)
        try:
            try:
                find_mosquitto()
            except MissingProgram as exc:
                print(f"tiers local: {exc}", file=sys.stderr)
                return EXIT_ERROR
            self.say(f"tiers local: reading stack '{self.o.stack}' and starting mosquitto, moto and the bridge...")
            try:
                plan, token = await self._start()
            except PlanError as exc:
                print(f"tiers local: {exc}", file=sys.stderr)
                return EXIT_ERROR
            except (StartError, OSError) as exc:
                print(f"tiers local: could not start the local stack: {exc}", file=sys.stderr)
                return EXIT_ERROR
            self._banner(plan, token)
            await self._watch(plan)
            try:
                summary = await self._finish(plan)
            except Exception as exc:  # moto itself died, say: no books to close
                self.status.finish()
                if self.failure:
                    self.say(f"tiers local: {self.failure}")
                self.say(f"tiers local: could not take the final account ({type(exc).__name__}: {exc})")
                return EXIT_FAILED
            await self._teardown()  # before the report, which says that everything stopped
            return self._report(plan, summary)
        finally:
            await self._teardown()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _on_signal(self) -> None:
        if self.stop.is_set():
            self.hurry = True  # a second Ctrl-C: skip the drain
        self.stop.set()

    async def _start(self) -> tuple[ProcessingPlan, str]:
        s = self.s
        planner = PlanProcess(self.o.program, self.o.stack, self.o.tier)  # runs while the servers start
        s.workdir = Workdir()

        async def broker_then_bridge() -> None:
            s.broker = await asyncio.to_thread(start_broker, s.workdir)
            s.children.append(s.broker.child)
            s.bridge = await asyncio.to_thread(start_bridge, s.workdir, s.broker.url)
            s.children.append(s.bridge.child)

        async def moto() -> None:
            s.moto = await asyncio.to_thread(local_aws.start_moto, s.workdir)
            s.children.append(s.moto.child)

        try:
            results = await asyncio.gather(broker_then_bridge(), moto(), asyncio.to_thread(planner.result),
                                           return_exceptions=True)
        finally:
            planner.kill()
        for result in results:
            if isinstance(result, BaseException):
                raise result
        plan = results[2]
        assert s.moto and s.broker and s.bridge
        s.moto.region = plan.region
        s.resources = await asyncio.to_thread(local_aws.provision, s.moto, plan)
        s.poller = await asyncio.to_thread(self._start_poller, plan)
        s.children.append(s.poller)

        s.rule = RuleStandIn(s.broker.port, plan.topic_filter, plan.device_level, s.moto.client("sqs"),
                             s.resources.queue_url, s.resources.rejects_url, plan.rule_name, plan.queue_name)
        await s.rule.start()
        s.relay = AlertRelay(s.broker.port, s.moto.client("sqs"), s.resources.relay_queue_url)
        await s.relay.start()

        topics = [plan.topic_filter, ALERT_TOPIC_PREFIX + "#"]
        ttl = (self.o.duration or 12 * 3600) + 3600
        token = mint_token(s.bridge.secret, topics, ttl)
        s.dashboard = DashboardServer({
            "bridgeUrl": s.bridge.ws_url, "topics": topics, "alertTopicPrefix": ALERT_TOPIC_PREFIX,
            "telemetryFilter": plan.topic_filter, "deviceLevel": plan.device_level,
            "alertThresholdCelsius": plan.alert_threshold_celsius, "stack": plan.stack, "tier": plan.tier,
        }, port=self.o.port_dashboard).start()

        rng = random.Random(self.o.seed)
        factory = ReadingFactory(self.o.bad_share, self.o.hot_share, plan.alert_threshold_celsius, rng)
        s.simulator = Simulator(s.broker.port, self.o.devices, self.o.rate, factory,
                                plan.topic_filter, plan.device_level)
        return plan, token

    def _start_poller(self, plan: ProcessingPlan) -> Child:
        s = self.s
        assert s.workdir and s.moto and s.resources
        stats = s.workdir.file("poller-stats.json")
        config = {"queue_url": s.resources.queue_url, "queue_arn": s.resources.queue_arn, "region": plan.region,
                  "batch_size": plan.batch_size, "batch_window_s": plan.batch_window_s,
                  "timeout_s": plan.timeout_s, "memory_mb": plan.memory_mb,
                  "function_name": plan.function_name, "handler": plan.handler,
                  "stats_file": str(stats), "endpoint": s.moto.endpoint}
        config_file = s.workdir.file("poller.json")
        config_file.write_text(json.dumps(config, indent=2))
        # The function's environment, as Lambda would set it: nothing of the caller's AWS
        # setup leaks in (no profile, no real credentials), only moto's.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(plan.environment)
        env.update(s.resources.handler_environment())
        env.update(s.moto.environment())
        env.update({"AWS_LAMBDA_FUNCTION_NAME": plan.function_name,
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(plan.memory_mb),
                    "PYTHONUNBUFFERED": "1",
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(self.o.program).resolve()),
                                                                os.environ.get("PYTHONPATH")]))})
        return start("handler", [sys.executable, "-m", "iot_tiers.local.poller", "--config", str(config_file)],
                     s.workdir, env=env, ready=stats.exists, timeout=30)

    def _banner(self, plan: ProcessingPlan, token: str) -> None:
        s = self.s
        assert s.broker and s.moto and s.bridge and s.poller and s.dashboard and s.resources and s.workdir
        duration = f"for {self.o.duration:g} s" if self.o.duration else "until Ctrl-C"
        lines = [
            f"tiers local: stack '{plan.stack}', ProcessingTier '{plan.tier}', running {duration}",
            f"  broker     mosquitto {s.broker.url} (pid {s.broker.child.pid})",
            f"  aws        moto {s.moto.endpoint} (pid {s.moto.child.pid}): table {plan.table_name}, "
            f"queue {plan.queue_name} (dead letters to {plan.dlq_name} after {plan.max_receive_count} "
            f"deliveries), rejects {plan.rejects_name}, topic {plan.topic_name}",
            f"  rule       {plan.rule_name}: {plan.topic_filter} -> queue, deviceId = topic({plan.device_level}), "
            f"non-JSON -> rejects",
            f"  handler    {plan.handler} (pid {s.poller.pid}): batches of up to {plan.batch_size} "
            f"within {plan.batch_window_s} s, ReportBatchItemFailures",
            f"  alerts     SNS {plan.topic_name} -> SQS {plan.tier}{local_aws.RELAY_QUEUE_SUFFIX} -> "
            f"MQTT {ALERT_TOPIC_PREFIX}<deviceId> (above {plan.alert_threshold_celsius:g} C)",
            f"  bridge     python -m iot_tiers_runtime.bridge {s.bridge.ws_url} (pid {s.bridge.child.pid})",
            f"  devices    {self.o.devices} simulated at {self.o.rate:g} msg/s each, "
            f"bad share {self.o.bad_share:g}, hot share {self.o.hot_share:g}",
            f"dashboard: {s.dashboard.url}#token={token} token: {token}",
            f"bridge: {s.bridge.ws_url}",
            f"workdir: {s.workdir.path}",
            "Ctrl-C stops it." if not self.o.duration else f"Stops by itself after {self.o.duration:g} s (or Ctrl-C).",
        ]
        self.say("\n".join(lines))

    # ------------------------------------------------------------------ running
    async def _watch(self, plan: ProcessingPlan) -> None:
        s = self.s
        assert s.simulator
        if self.stop.is_set():
            return
        await s.simulator.start()
        self.started_at = time.monotonic()
        deadline = self.started_at + self.o.duration if self.o.duration else None
        while not self.stop.is_set():
            dead = [c for c in s.children if not c.alive()]
            if dead:
                c = dead[0]
                self.failure = (f"{c.name} (pid {c.pid}) exited with status {c.popen.returncode} "
                                f"mid-run; the end of its log:\n{c.log_tail()}")
                self.hurry = True  # nothing to drain into: close the books as they are
                break
            self.status.show(await self._snapshot())
            if deadline and time.monotonic() >= deadline:
                break
            wait = 1.0 if not deadline else max(0.0, min(1.0, deadline - time.monotonic()))
            try:
                await asyncio.wait_for(self.stop.wait(), wait)
            except asyncio.TimeoutError:
                pass
        self.stop.set()

    async def _snapshot(self) -> Snapshot:
        s = self.s
        assert s.simulator and s.moto and s.resources and s.rule and s.relay and s.bridge
        ddb, sqs = self._clients()

        def counts() -> tuple[int, int, tuple[int, int]]:
            written = local_aws.count_readings(ddb, s.resources.table_name)
            rejects = sum(local_aws.queue_depth(sqs, s.resources.rejects_url))
            return written, rejects, local_aws.queue_depth(sqs, s.resources.queue_url)

        try:
            written, rejects, (visible, invisible) = await asyncio.to_thread(counts)
        except Exception:
            written = rejects = visible = invisible = -1
        clients = await asyncio.to_thread(bridge_clients, s.bridge.health_url)
        return Snapshot(elapsed_s=time.monotonic() - self.started_at, devices=self.o.devices,
                        rate=s.simulator.rate_now(), published=len(s.simulator.ledger),
                        written=written, rejects=rejects, alerts=s.relay.counters.relayed,
                        in_flight=s.rule.backlog + max(0, visible) + max(0, invisible), ws_clients=clients)

    def _clients(self) -> tuple[Any, Any]:
        if not hasattr(self, "_ddb"):
            assert self.s.moto
            self._ddb, self._sqs = self.s.moto.client("dynamodb"), self.s.moto.client("sqs")
        return self._ddb, self._sqs

    # ------------------------------------------------------------------ stopping
    async def _finish(self, plan: ProcessingPlan) -> dict[str, Any]:
        """Stop the devices, drain, stop the handler, and close the books."""
        s = self.s
        assert s.simulator and s.rule and s.relay and s.resources and s.poller
        await s.simulator.stop_publishing()
        if self.started_at:
            self.status.show(await self._snapshot(), force=True)
        elapsed = time.monotonic() - self.started_at if self.started_at else 0.0
        ddb, sqs = self._clients()
        drained = await self._drain()
        # The poller finishes the batch in hand before it exits (bounded by the function timeout).
        await asyncio.to_thread(s.poller.stop, max(10.0, plan.timeout_s + 5.0))
        handler_stats = _read_json(s.workdir.file("poller-stats.json")) if s.workdir else {}
        alerts_published = await asyncio.to_thread(local_aws.count_alerts_sent, ddb, s.resources.table_name)
        await s.relay.settle(alerts_published, 0 if self.hurry else 5.0)

        def books() -> tuple[list, list[str], Where]:
            items = local_aws.scan_readings(ddb, s.resources.table_name)
            rejects = [m["Body"] for m in local_aws.read_all(sqs, s.resources.rejects_url)]
            visible, invisible = local_aws.queue_depth(sqs, s.resources.queue_url)
            dlq = sum(local_aws.queue_depth(sqs, s.resources.dlq_url))
            return items, rejects, Where(published_seen_by_rule=s.rule.counters.received,
                                         rule_backlog=s.rule.backlog, queue_visible=visible,
                                         queue_invisible=invisible, dead_lettered=dlq)

        items, rejects, where = await asyncio.to_thread(books)
        account = reconcile(s.simulator.ledger, items, rejects, where, plan.alert_threshold_celsius)
        return {"account": account, "elapsed": elapsed, "drained": drained, "handler": handler_stats,
                "alerts_published": alerts_published, "alerts_relayed": s.relay.counters.relayed,
                "clients": await asyncio.to_thread(bridge_clients, s.bridge.health_url) if s.bridge else None}

    async def _drain(self) -> bool:
        """Wait until every reading reached the rule and the queue is empty, at most drain_timeout s."""
        s = self.s
        assert s.simulator and s.rule and s.resources
        _, sqs = self._clients()
        deadline = time.monotonic() + (0 if self.hurry else self.o.drain_timeout)
        while True:
            visible, invisible = await asyncio.to_thread(local_aws.queue_depth, sqs, s.resources.queue_url)
            if (s.rule.counters.received >= len(s.simulator.ledger) and s.rule.backlog == 0
                    and visible == 0 and invisible == 0):
                return True
            if self.hurry or time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.2)

    async def _teardown(self) -> None:
        """Stop whatever is running (children in :data:`STOP_ORDER`) and remove the workdir. Idempotent."""
        s = self.s
        for part in (s.simulator, s.relay, s.rule):
            if part is not None:
                try:
                    await (part.close() if isinstance(part, Simulator) else part.stop())
                except Exception:
                    pass
        s.simulator = s.relay = s.rule = None
        if s.dashboard is not None:
            s.dashboard.stop()
            s.dashboard = None
        for child in sorted(s.children, key=lambda c: STOP_ORDER.index(c.name)):
            child.stop()
        if s.workdir is not None:
            s.workdir.remove()

    def _report(self, plan: ProcessingPlan, summary: dict[str, Any]) -> int:
        s = self.s
        account = summary["account"]
        failed = bool(self.failure) or account.lost > 0 or bool(account.mismatched)
        code = EXIT_FAILED if failed else EXIT_OK
        self.status.finish()
        if self.failure:
            self.say(f"tiers local: {self.failure}")
        header = (f"summary: {summary['elapsed']:.1f} s, {self.o.devices} device(s) at {self.o.rate:g} msg/s, "
                  f"bad share {self.o.bad_share:g}"
                  + ("" if summary["drained"] else f"; the queue did not drain within {self.o.drain_timeout:g} s"))
        self.say(header + "\n" + format_account(account, summary["alerts_published"], summary["alerts_relayed"],
                                                summary["handler"], plan.alert_threshold_celsius))
        stopped = ", ".join(f"{c.name} (pid {c.pid})" for c in sorted(s.children, key=lambda c: STOP_ORDER.index(c.name)))
        self.say(f"stopped {stopped}; removed {s.workdir.path if s.workdir else 'nothing'}")
        if self.o.json_summary:
            doc = {
                "stack": plan.stack, "tier": plan.tier, "durationS": round(summary["elapsed"], 3),
                "devices": self.o.devices, "rate": self.o.rate, "badShare": self.o.bad_share,
                "published": account.published, "byKind": account.by_kind,
                "written": account.written,
                "rejected": {"total": account.rejected, "byReason": account.rejected_by_reason},
                "inFlight": {"total": account.in_flight_total, **account.in_flight},
                "balanced": account.balanced, "drained": summary["drained"],
                "alerts": {"expected": account.alerts_expected, "published": summary["alerts_published"],
                           "relayed": summary["alerts_relayed"]},
                "handler": summary["handler"], "websocketClientsAtEnd": summary["clients"],
                "mismatched": account.mismatched,
                "foreign": {"written": account.foreign_written, "rejected": account.foreign_rejected},
                "names": {"table": plan.table_name, "queue": plan.queue_name, "deadLetterQueue": plan.dlq_name,
                          "rejectsQueue": plan.rejects_name, "alertTopic": plan.topic_name, "rule": plan.rule_name},
                "processes": [{"name": c.name, "pid": c.pid} for c in s.children],
                "workdir": str(s.workdir.path) if s.workdir else None,
                "failure": self.failure, "exitCode": code,
            }
            self.out.write(json.dumps(doc, separators=(",", ":")) + "\n")
            self.out.flush()
        return code


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


__all__ = ["EXIT_ERROR", "EXIT_FAILED", "EXIT_OK", "LocalOptions", "run_local"]
