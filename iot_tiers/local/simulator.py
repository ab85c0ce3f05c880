"""Simulated devices: N thermometers publishing telemetry to mosquitto at a given rate.

Each device publishes ``{"temperature", "humidity", "timestamp", "seq"}`` (epoch
milliseconds, strictly increasing per device; ``seq`` counts the device's
messages) to ``devices/<id>/telemetry`` (the stack's topic filter with its ``+``
level filled in), with QoS 1. A share of the readings is deliberately bad, so the
rejection paths run too, and a small share is hot (above the alert threshold), so
alerts fire:

=================  ==========================================================  ====================
kind               what is sent                                                 expected outcome
=================  ==========================================================  ====================
``normal``         temperature around the device's baseline (18-30 C)          written
``hot``            threshold + 1 .. threshold + 20 C (at most 125)              written, one alert
``out-of-range``   temperature above 125 or below -40, or humidity above 100   rejected by the handler
``malformed``      JSON without temperature, or with a string for it           rejected by the handler
``not-json``       a text line ``temp=23.4;seq=7``                             rejected by the rule
=================  ==========================================================  ====================

Every published reading is kept in a :class:`Ledger`, which the summary reconciles
against the table and the rejects queue.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from .broker import mqtt_connect, mqtt_disconnect

KINDS = ("normal", "hot", "out-of-range", "malformed", "not-json")
#: How the bad share splits between the bad kinds.
BAD_SPLIT = (("out-of-range", 0.5), ("malformed", 0.3), ("not-json", 0.2))


@dataclass(frozen=True)
class Published:
    """One reading a simulated device published.

    Attributes:
        device: the device id.
        seq: the device's message number, from 1.
        kind: one of :data:`KINDS`.
        timestamp_ms: the ``timestamp`` it carries (epoch ms).
        payload: the bytes sent.
        temperature: the temperature sent, when it is a number.
    """

    device: str
    seq: int
    kind: str
    timestamp_ms: int
    payload: bytes
    temperature: Optional[float] = None


@dataclass
class Ledger:
    """Every reading published, indexed for the reconciliation."""

    readings: list[Published] = field(default_factory=list)
    by_key: dict[tuple[str, int], Published] = field(default_factory=dict)
    by_seq: dict[tuple[str, int], Published] = field(default_factory=dict)
    by_payload: dict[bytes, Published] = field(default_factory=dict)

    def add(self, reading: Published) -> None:
        self.readings.append(reading)
        self.by_key[(reading.device, reading.timestamp_ms)] = reading
        self.by_seq[(reading.device, reading.seq)] = reading
        if reading.kind == "not-json":
            self.by_payload[reading.payload] = reading

    def __len__(self) -> int:
        return len(self.readings)

    def kinds(self) -> dict[str, int]:
        counts = Counter(r.kind for r in self.readings)
        return {k: counts.get(k, 0) for k in KINDS}


def device_topic(topic_filter: str, device_level: int, device: str) -> str:
    """The topic ``device`` publishes to: ``topic_filter`` with level ``device_level`` filled in."""
    levels = topic_filter.split("/")
    levels[device_level - 1] = device
    return "/".join(levels)


class ReadingFactory:
    """Makes the next reading of each device.

    Args:
        bad_share: share of readings that are bad (0 to 1; default 0.1).
        hot_share: share of the good readings above the alert threshold (default 0.05).
        threshold: the alert threshold in degrees C (default 80).
        rng: the random source (default: a fresh ``random.Random()``).
    """

    def __init__(self, bad_share: float = 0.1, hot_share: float = 0.05, threshold: float = 80,
                 rng: Optional[random.Random] = None) -> None:
        self.bad_share = bad_share
        self.hot_share = hot_share
        self.threshold = threshold
        self.rng = rng or random.Random()
        self._baseline: dict[str, float] = {}
        self._seq: dict[str, int] = {}
        self._last_ms: dict[str, int] = {}

    def kind(self) -> str:
        r = self.rng.random()
        if r < self.bad_share:
            pick = self.rng.random()
            for kind, share in BAD_SPLIT:
                if pick < share:
                    return kind
                pick -= share
            return BAD_SPLIT[-1][0]
        return "hot" if self.rng.random() < self.hot_share else "normal"

    def next(self, device: str, now_ms: Optional[int] = None, kind: Optional[str] = None) -> Published:
        rng = self.rng
        kind = kind or self.kind()
        seq = self._seq[device] = self._seq.get(device, 0) + 1
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        ts = self._last_ms[device] = max(now_ms, self._last_ms.get(device, 0) + 1)
        base = self._baseline.setdefault(device, rng.uniform(18, 26))
        base = self._baseline[device] = min(30.0, max(18.0, base + rng.uniform(-0.4, 0.4)))
        humidity = round(rng.uniform(35, 60), 1)
        temperature: Any = round(base + rng.uniform(-0.5, 0.5), 1)
        body: dict[str, Any] = {"temperature": temperature, "humidity": humidity, "timestamp": ts, "seq": seq}
        if kind == "hot":
            temperature = round(min(125.0, self.threshold + rng.uniform(1, 20)), 1)
            body["temperature"] = temperature
        elif kind == "out-of-range":
            choice = rng.random()
            if choice < 0.4:
                body["temperature"] = temperature = round(rng.uniform(126, 200), 1)
            elif choice < 0.7:
                body["temperature"] = temperature = round(rng.uniform(-80, -41), 1)
            else:
                body["humidity"] = round(rng.uniform(101, 150), 1)
        elif kind == "malformed":
            if rng.random() < 0.5:
                del body["temperature"]
            else:
                body["temperature"] = f"{temperature}C"
            temperature = None
        if kind == "not-json":
            payload = f"temp={temperature};hum={humidity};seq={seq};dev={device}".encode()
            return Published(device, seq, kind, ts, payload, None)
        payload = json.dumps(body, separators=(",", ":")).encode()
        number = temperature if isinstance(temperature, (int, float)) else None
        return Published(device, seq, kind, ts, payload, number)


class Simulator:
    """Publish readings of ``devices`` devices, each at ``rate`` messages per second.

    Args:
        broker_port: mosquitto's port on 127.0.0.1.
        devices: number of devices (ids ``sim-001``...).
        rate: messages per second per device (> 0).
        factory: makes the readings (see :class:`ReadingFactory`).
        topic_filter: the stack's telemetry filter (default ``devices/+/telemetry``).
        device_level: the level of the filter that holds the device id (default 2).
    """

    def __init__(self, broker_port: int, devices: int, rate: float, factory: ReadingFactory,
                 topic_filter: str = "devices/+/telemetry", device_level: int = 2) -> None:
        self.broker_port = broker_port
        self.ids = [f"sim-{i:03d}" for i in range(1, devices + 1)]
        self.rate = rate
        self.factory = factory
        self.topics = {d: device_topic(topic_filter, device_level, d) for d in self.ids}
        self.ledger = Ledger()
        self._client: Any = None
        self._tasks: list[asyncio.Task] = []
        self._recent: list[float] = []

    async def start(self) -> None:
        client = await mqtt_connect("sim", self.broker_port)
        self._client = client
        period = 1.0 / self.rate
        rng = self.factory.rng
        self._tasks = [asyncio.create_task(self._device(d, rng.uniform(0, period), period), name=f"device-{d}")
                       for d in self.ids]

    async def _device(self, device: str, phase: float, period: float) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time() + phase
        while True:
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            reading = self.factory.next(device)
            self._client.publish(self.topics[device], reading.payload, qos=1)
            self.ledger.add(reading)
            self._recent.append(time.monotonic())
            next_at += period
            if next_at < loop.time() - 1:  # fell behind (a busy machine): skip, don't burst
                next_at = loop.time()

    def rate_now(self, window: float = 3.0) -> float:
        """Messages per second over the last ``window`` seconds (default 3)."""
        cutoff = time.monotonic() - window
        self._recent = [t for t in self._recent if t >= cutoff]
        return len(self._recent) / window

    async def stop_publishing(self) -> None:
        """Stop the devices; the connection stays up until :meth:`close` so QoS 1 acks complete."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def close(self) -> None:
        await self.stop_publishing()
        if self._client is not None:
            await mqtt_disconnect(self._client)
            self._client = None


__all__ = ["BAD_SPLIT", "KINDS", "Ledger", "Published", "ReadingFactory", "Simulator", "device_topic"]
