"""SQS pricer: sends from the rule; receives and deletes per realistic batch; idle polls."""

from __future__ import annotations

import pytest

from iot_tiers_policy.cost import Traffic

from .pricer_support import priced, resource, usd, view
from .processing_stack import QUEUE, RULE, processing


def test_a_drained_queue_pays_sends_receives_deletes_per_batch_and_the_idle_pollers():
    """43.8M messages of 512 + 57 B (the rule adds deviceId and brokerTimestamp) = 569 B, one 64 KB chunk.
    Batches of 16.667: 2,628,000 invocations, each 2 receives (10 + 6.67 messages) and 2 deletes:
    5,256,000 + 5,256,000. The function is busy 2,628,000 x 83.33 ms / 2,628,000 s = 0.0833 of a poller,
    so 4.9167 of the 5 pollers idle: x 3 polls/min x 43,800 min = 646,050.
    Total 54,958,050 x $0.40/M = $21.98322."""
    q = resource(priced(*processing()), "queue")
    assert q.items[0].quantity == pytest.approx(43.8e6 + 5_256_000 + 5_256_000 + 646_050, abs=1)
    assert usd(q.items) == pytest.approx(21.98322, abs=1e-4)


def test_with_full_batches_of_100_a_batch_takes_10_receives_and_10_deletes():
    """5,000 devices x 1,200/h: 4.38e9 messages, 43.8M invocations of 100: 438M receives, 438M deletes.
    43.8M invocations a month are 16.67 a second, each 50 + 2 x 100 = 250 ms: 4.167 pollers busy,
    0.833 idle x 131,400 = 109,500 empty receives."""
    t = Traffic(devices=5000, messages_per_device_per_hour=1200)
    q = resource(priced(*processing(), traffic=t), "queue")
    assert q.items[0].quantity == pytest.approx(4.38e9 + 438e6 + 438e6 + 109_500, rel=1e-9)


def test_a_queue_the_rule_feeds_but_nothing_drains_pays_its_sends_only():
    """43.8M sends x $0.40/M = $17.52."""
    views = [view(RULE, "rule", {"sqs": [{}]}, deps={"sqs": [(QUEUE, "q")]}), view(QUEUE, "q", {})]
    q = resource(priced(*views), "q")
    assert usd(q.items) == pytest.approx(17.52)


def test_a_queue_without_traffic_is_usage_based_and_a_fifo_queue_prices_its_usage_at_the_fifo_rate():
    """monthly_requests 2,000,000 on FIFO x $0.50/M = $1.00."""
    fifo = view(QUEUE, "orders.fifo", {"fifoQueue": True})
    assert resource(priced(fifo), "orders.fifo").status == "usage-based"
    est = priced(fifo, usage={"resource_usage": {"orders.*": {"monthly_requests": 2_000_000}}})
    assert usd(resource(est, "orders.fifo").items) == pytest.approx(1.00)
