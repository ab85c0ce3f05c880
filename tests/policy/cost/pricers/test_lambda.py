"""Lambda pricer: invocations from the batching rule, GB-seconds, provisioned concurrency, logs.

Default traffic: 500 devices x 120 msg/h = 16.667 msg/s, M = 43,800,000 messages a month.
"""

from __future__ import annotations

import pytest

from iot_tiers_policy.cost import Traffic

from .pricer_support import priced, resource, usd, view
from .processing_stack import ALIAS, FN, processing

PC = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"


def test_a_one_second_window_closes_batches_at_about_17_messages_not_100():
    """16.667 msg/s x 1 s = 16.667 messages a batch: 43.8M / 16.667 = 2,628,000 invocations
    x $0.20/M = $0.5256; each 50 + 2 x 16.667 = 83.33 ms, billed 84 ms, at 0.25 GB arm64:
    2,628,000 x 0.084 x 0.25 = 55,188 GB-s x $0.0000133334 = $0.735844; logs 2,628,000 x 400 B
    = 1.0512 GB x $0.50 = $0.5256."""
    fn = resource(priced(*processing()), "function")
    req, dur, logs = fn.items
    assert req.quantity == pytest.approx(2_628_000)
    assert (dur.quantity, dur.usd) == (pytest.approx(55_188), pytest.approx(0.735844, abs=1e-6))
    assert req.usd == pytest.approx(0.5256) and logs.usd == pytest.approx(0.5256)
    assert fn.drivers["messages_per_invocation"] == pytest.approx(16.67)


def test_without_a_batching_window_every_message_is_an_invocation():
    fn = resource(priced(*processing(window=0)), "function")
    assert fn.items[0].quantity == pytest.approx(43_800_000)


def test_at_a_high_rate_the_batch_size_closes_the_batch():
    """5,000 devices x 1,200/h = 1,666.7 msg/s: 100 messages arrive in 0.06 s, so batches are full."""
    fn = resource(priced(*processing(), traffic=Traffic(devices=5000, messages_per_device_per_hour=1200)), "function")
    assert fn.items[0].quantity == pytest.approx(5000 * 1200 * 730 / 100)


def test_the_alert_relay_runs_once_per_alert_and_publishes_it_to_iot_core():
    """1,000 per million of 43.8M = 43,800 alerts: 43,800 invocations of 52 ms at 128 MB, and 43,800
    HTTPS publishes to IoT Core (one 5 KB meter each) x $1/M = $0.0438."""
    relay = resource(priced(*processing()), "relay")
    assert relay.items[0].quantity == pytest.approx(43_800)
    assert "52 ms" in relay.items[1].item
    iot = relay.items[-1]
    assert (iot.service, iot.quantity, iot.usd) == ("IoT Core", pytest.approx(43_800), pytest.approx(0.0438))


def test_provisioned_concurrency_through_an_alias_is_charged_all_month():
    """2 environments x 1 GB x 2,628,000 s = 5,256,000 GB-s x $0.0000033334 (arm64) = $17.5204."""
    views = processing(memory=1024) + [view(PC, "pc", {"provisionedConcurrentExecutions": 2, "qualifier": "live"},
                                            deps={"functionName": [(FN, "function")], "qualifier": [(ALIAS, "alias")]})]
    fn = resource(priced(*views), "function")
    assert fn.items[2].quantity == pytest.approx(5_256_000)
    assert fn.items[2].usd == pytest.approx(17.5204, abs=1e-3)


def test_a_function_nothing_invokes_is_usage_based_and_the_usage_file_prices_it():
    """monthly_requests 1,000,000 of 200 ms at 512 MB x86_64: 100,000 GB-s x $0.0000166667 = $1.66667,
    requests $0.20, logs 0.4 GB x $0.50 = $0.20: $2.06667."""
    lone = view(FN, "cron", {"memorySize": 512})
    est = priced(lone)
    assert resource(est, "cron").status == "usage-based"
    est = priced(lone, usage={"resource_usage": {"cron": {"monthly_requests": 1_000_000, "request_duration_ms": 200}}})
    cron = resource(est, "cron")
    assert cron.status == "priced" and usd(cron.items) == pytest.approx(2.06667, abs=1e-5)
    assert cron.usage == {"monthly_requests": 1_000_000, "request_duration_ms": 200}


def test_garbage_inputs_make_that_function_unpriced_with_the_reason_and_the_rest_still_priced():
    views = processing() + [view(FN, "bad-memory", {"memorySize": "lots"}),
                            view(FN, "bad-arch", {"memorySize": 128, "architectures": [42]})]
    est = priced(*views)
    assert resource(est, "bad-memory").status == "unpriced"
    assert "memorySize='lots' is not a number" in resource(est, "bad-memory").reason
    assert resource(est, "bad-arch").status == "unpriced"
    assert "architecture 42: allowed values are x86_64, arm64" in resource(est, "bad-arch").reason
    assert resource(est, "function").status == "priced"
    assert "incomplete: 2 resource(s) not priced" in " ".join(est.warnings)
