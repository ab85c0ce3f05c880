"""The decision guide's cost table, recomputed: the figures the README quotes."""

from __future__ import annotations

import pytest

from iot_tiers.offline.seed_table import render_markdown
from iot_tiers_policy.cost.formulas import total
from iot_tiers_policy.cost.scenarios import SEED_TABLE, seed_table


@pytest.fixture(scope="module")
def rows(prices):
    return {r.messages_per_day: r for r in seed_table(prices)}


def test_the_seeds_lambda_column_is_the_request_charge_of_msgs_per_day_taken_as_msgs_per_month(rows):
    """The seed's $0.20 at 1M/day is $0.20/M x 1M: one day's requests billed as a month's.
    A month of them is 30,416,667 requests = $6.08, and the seed leaves out duration."""
    for per_day, row in rows.items():
        assert SEED_TABLE[per_day][0] == pytest.approx(0.20 * per_day / 1e6)
        assert row.lambda_requests_only == pytest.approx(0.20 * per_day / 1e6 * 730 / 24)
    assert rows[1_000_000].lambda_requests_only == pytest.approx(6.0833, abs=1e-4)


def test_lambda_one_message_per_invocation_scales_linearly_from_12_42_at_1m_a_day(rows):
    assert rows[1_000_000].lambda_per_message.usd == pytest.approx(12.4201, abs=1e-3)
    assert rows[100_000_000].lambda_per_message.usd == pytest.approx(1242.01, abs=0.01)


def test_batching_100_per_invocation_makes_lambda_the_cheapest_at_100m_a_day(rows):
    """1,157 msg/s fill a batch of 100 in 0.09 s: 30,416,667 invocations x $0.20/M = $6.0833; x 250 ms x
    0.25 GB = 1,901,042 GB-s x $0.0000133334 = $25.3473; total $31.43."""
    row = rows[100_000_000]
    assert total(row.lambda_batched) == pytest.approx(31.4306, abs=1e-3)
    assert total(row.lambda_batched) < row.fargate.usd < row.lambda_per_message.usd


def test_at_100k_and_1m_a_day_the_one_second_window_closes_small_batches(rows):
    """100K/day = 1.1574 msg/s: batches of 1.1574 messages, 3,041,667 a month / 1.1574 = 2,628,000 invocations of
    50 + 2.31 = 52.31 ms, billed 53, at 0.25 GB arm64: 2,628,000 x $0.20/M = $0.5256 + 2,628,000 x 0.053 x
    0.25 = 34,821 GB-s x $0.0000133334 = $0.46428: $0.98988.
    1M/day = 11.574 msg/s: 2,628,000 invocations of 50 + 23.15 = 73.15 ms, billed 74: $0.5256 +
    48,618 GB-s x $0.0000133334 = $0.648242: $1.173842."""
    assert rows[100_000].batched_per_invocation == pytest.approx(1e5 / 86400)
    assert total(rows[100_000].lambda_batched) == pytest.approx(0.5256 + 2_628_000 * 0.053 * 0.25 * 0.0000133334)
    assert total(rows[1_000_000].lambda_batched) == pytest.approx(0.5256 + 2_628_000 * 0.074 * 0.25 * 0.0000133334)


def test_fargate_needs_one_task_until_the_load_passes_half_a_vcpu(rows):
    assert [rows[n].fargate.usd for n in (100_000, 1_000_000, 10_000_000)] == pytest.approx([18.02005] * 3)
    # 100M/day: 1,157 msg/s x 2 peak x 2 ms = 4.63 vCPU -> 10 tasks of 0.5.
    assert rows[100_000_000].fargate.usd == pytest.approx(180.2005)


def test_ec2_at_100m_a_day_is_three_t3_mediums_paying_cpu_credits(rows):
    """3 x 730 x $0.0416 = $91.104; average load 1,157 msg/s x 2 ms = 2.315 vCPU over 6 vCPUs
    = 38.6%; surplus (0.386 - 0.2) x 6 x 730 x $0.05 = $40.69; 3 x 8 GB gp3 = $1.92; total $133.71.
    Reserved: 3 x 730 x $0.0261 = $57.159 + the same credits: $97.85."""
    assert rows[100_000_000].ec2.usd == pytest.approx(133.71, abs=0.01)
    assert rows[100_000_000].ec2_reserved == pytest.approx(3 * 730 * 0.0261 + 40.69, abs=0.01)


def test_the_pipeline_around_the_compute_dominates_from_1m_a_day(rows):
    for n in (1_000_000, 10_000_000, 100_000_000):
        r = rows[n]
        assert total(r.pipeline) > max(r.lambda_per_message.usd, r.fargate.usd, r.ec2.usd)


def test_the_markdown_explains_the_device_count_error(prices):
    text = render_markdown(prices)
    assert "43.8M a month (43.2M on a 30-day month)" in text
    assert "$8.76 of requests alone plus $9.13 of duration at 128 MB / 100 ms = $17.89, not $0.20" in text
