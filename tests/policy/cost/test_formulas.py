"""The cost formulas, pinned on hand-computed cases (the arithmetic is in each docstring).

Prices are the bundled us-east-1 list prices; a month is 730 hours.
"""

from __future__ import annotations

import pytest

from iot_tiers_policy.cost import formulas as f
from iot_tiers_policy.cost.traffic import DAYS_PER_MONTH


def usd(items):
    return sum(i.usd for i in items)


def test_lambda_one_message_per_invocation_at_1m_a_day_costs_requests_plus_gb_seconds(prices):
    """1M msgs/day x 30.4167 days = 30,416,667 invocations.
    requests: 30,416,667 x $0.20/1M = $6.0833
    duration: 30,416,667 x 0.1 s x 0.125 GB = 380,208.3 GB-s x $0.0000166667 = $6.3368
    total $12.4201 (the seed says $0.20)."""
    items = f.lambda_costs(prices, invocations=1e6 * DAYS_PER_MONTH, duration_ms=100, memory_mb=128)
    assert items[0].usd == pytest.approx(6.08333, abs=1e-4)
    assert items[1].quantity == pytest.approx(380_208.33, abs=0.01)
    assert items[1].usd == pytest.approx(6.33681, abs=1e-4)
    assert usd(items) == pytest.approx(12.4201, abs=1e-3)


def test_lambda_arm64_batch_of_100_is_priced_at_the_arm_rate(prices):
    """438,000 invocations x 250 ms x 0.25 GB = 27,375 GB-s x $0.0000133334 = $0.36500;
    requests 438,000 x $0.20/1M = $0.0876."""
    items = f.lambda_costs(prices, invocations=438_000, duration_ms=250, memory_mb=256, arch="arm64")
    assert items[1].quantity == pytest.approx(27_375)
    assert items[1].usd == pytest.approx(0.365001, abs=1e-6)
    assert items[0].usd == pytest.approx(0.0876)


def test_lambda_duration_is_tiered_above_six_billion_gb_seconds(prices):
    """7e9 GB-s on x86: 6e9 x $0.0000166667 + 1e9 x $0.000015 = $100,000.2 + $15,000 = $115,000.2."""
    assert prices.cost("lambda.duration.x86_64", 7e9) == pytest.approx(115_000.2, abs=0.01)


def test_lambda_provisioned_concurrency_is_charged_for_the_whole_month(prices):
    """2 environments x 1 GB x 2,628,000 s = 5,256,000 GB-s x $0.0000041667 = $21.9002;
    with no invocations, duration is 0."""
    items = f.lambda_costs(prices, invocations=0, duration_ms=100, memory_mb=1024, provisioned=2)
    assert items[2].quantity == pytest.approx(5_256_000)
    assert items[2].usd == pytest.approx(21.9002, abs=1e-3)
    assert items[1].usd == 0


def test_fargate_half_vcpu_one_gb_x86_task_is_18_02_a_month(prices):
    """730 h x (0.5 x $0.04048 + 1 x $0.004445) = 730 x $0.024685 = $18.02005."""
    assert usd(f.fargate_costs(prices, tasks=1, vcpu=0.5, memory_gb=1)) == pytest.approx(18.02005)


def test_fargate_arm64_two_tasks_with_extra_ephemeral_storage(prices):
    """2 tasks x 730 h = 1,460 task-hours: vCPU 1,460 x 1 x $0.03238 = $47.2748;
    memory 1,460 x 2 GB x $0.00356 = $10.3952; 30 GB ephemeral = 10 GB above 20:
    1,460 x 10 x $0.000111 = $1.6206. Total $59.2906."""
    items = f.fargate_costs(prices, tasks=2, vcpu=1, memory_gb=2, arch="arm64", ephemeral_gb=30)
    assert [round(i.usd, 4) for i in items] == [47.2748, 10.3952, 1.6206]


def test_fargate_spot_takes_the_typical_discount_off_the_spot_share(prices):
    """1 task on Spot at 70% off: $18.02005 x (1 - 0.7) = $5.406."""
    assert usd(f.fargate_costs(prices, tasks=1, vcpu=0.5, memory_gb=1, spot_share=1.0)) == pytest.approx(5.406015)


def test_ec2_t3_medium_on_demand_reserved_and_spot(prices):
    """on-demand 730 x $0.0416 = $30.368; 1-yr no-upfront 730 x $0.026 = $18.98;
    spot at the t3 family's typical 65% off: $30.368 x 0.35 = $10.6288."""
    assert usd(f.ec2_costs(prices, instance_type="t3.medium")) == pytest.approx(30.368)
    assert usd(f.ec2_costs(prices, instance_type="t3.medium", pricing="reserved")) == pytest.approx(18.98)
    assert usd(f.ec2_costs(prices, instance_type="t3.medium", pricing="spot")) == pytest.approx(10.6288)


def test_ec2_burstable_instance_pays_cpu_credits_above_its_baseline(prices):
    """3 t3.medium at 40% average CPU, baseline 20%: surplus 0.2 x 2 vCPU x 2,190 h = 876 vCPU-h
    x $0.05 = $43.80, on top of 3 x $30.368 = $91.104."""
    items = f.ec2_costs(prices, instance_type="t3.medium", count=3, cpu_utilization=0.4)
    assert items[0].usd == pytest.approx(91.104)
    assert items[1].quantity == pytest.approx(876)
    assert items[1].usd == pytest.approx(43.80)
    below = f.ec2_costs(prices, instance_type="t3.medium", count=3, cpu_utilization=0.15)
    assert len(below) == 1


def test_ec2_refuses_an_unpriced_instance_type_and_names_the_priced_ones(prices):
    from iot_tiers_policy.cost import PriceError

    with pytest.raises(PriceError, match=r"x9\.huge.*t3\.medium.*--prices"):
        f.ec2_costs(prices, instance_type="x9.huge")


def test_ebs_gp3_charges_iops_and_throughput_above_the_baseline(prices):
    """100 GB x $0.08 = $8; 6,000 IOPS = 3,000 above x $0.005 = $15; 250 MB/s = 125 above x $0.04 = $5."""
    items = f.ebs_costs(prices, size_gb=100, iops=6000, throughput=250)
    assert [i.usd for i in items] == pytest.approx([8.0, 15.0, 5.0])


def test_iot_core_messaging_is_tiered_past_one_billion(prices):
    """100M msgs/day = 3,041,666,667 a month: 1e9 x $1/M + 2,041,666,667 x $0.80/M = $2,633.33."""
    items = f.iot_core_costs(prices, devices=0, connected_fraction=0, messages=1e8 * DAYS_PER_MONTH,
                             payload_bytes=512)
    assert items[1].usd == pytest.approx(2633.3333, abs=1e-3)


def test_iot_core_meters_a_6_kb_message_as_two(prices):
    """6 KB > 5 KB: 2 meters. 1M messages -> 2M metered = $2.00; connectivity
    100 devices x 50% x 43,800 min = 2,190,000 minutes x $0.08/M = $0.1752."""
    items = f.iot_core_costs(prices, devices=100, connected_fraction=0.5, messages=1e6, payload_bytes=6 * 1024)
    assert items[0].usd == pytest.approx(0.1752)
    assert items[1].quantity == 2e6
    assert items[1].usd == pytest.approx(2.0)


def test_sqs_drained_by_lambda_counts_sends_receives_and_deletes(prices):
    """43.8M messages: 43.8M sends + 4.38M receives (10 a call) + 4.38M deletes = 52.56M x $0.40/M = $21.024."""
    req = f.sqs_lambda_requests(43.8e6, 512)
    assert req == {"sends": 43.8e6, "receives": 4.38e6, "deletes": 4.38e6}
    assert usd(f.sqs_costs(prices, requests=sum(req.values()))) == pytest.approx(21.024)


def test_idle_sqs_queue_still_pays_for_lambda_long_polling(prices):
    """5 pollers x 3 polls/min x 43,800 min = 657,000 receives x $0.40/M = $0.2628."""
    req = f.sqs_lambda_requests(0, 512)
    assert req["receives"] == 657_000
    assert usd(f.sqs_costs(prices, requests=sum(req.values()))) == pytest.approx(0.2628)


def test_dynamodb_writes_are_billed_per_started_kilobyte(prices):
    """612 B -> 1 WRU, 1,500 B -> 2 WRU; 1M items: $0.625 and $1.25."""
    assert f.dynamodb_costs(prices, writes=1e6, item_bytes=612)[0].usd == pytest.approx(0.625)
    assert f.dynamodb_costs(prices, writes=1e6, item_bytes=1500)[0].usd == pytest.approx(1.25)


def test_nat_gateway_costs_hours_data_and_its_public_address(prices):
    """730 x $0.045 = $32.85; 100 GB x $0.045 = $4.50; 730 x $0.005 = $3.65: $41.00."""
    assert usd(f.nat_gateway_costs(prices, count=1, gb_processed=100)) == pytest.approx(41.0)


def test_alb_capacity_units_are_the_largest_dimension(prices):
    """6,000 active connections = 2 LCU (3,000 each) beats 0.5 GB/h: 730 x $0.0225 = $16.425
    + 2 x 730 x $0.008 = $11.68."""
    items = f.load_balancer_costs(prices, active_connections=6000, processed_gb_per_hour=0.5)
    assert [i.usd for i in items] == pytest.approx([16.425, 11.68])


def test_unknown_architecture_is_refused_with_the_allowed_values(prices):
    with pytest.raises(ValueError, match="x86_64, arm64"):
        f.lambda_costs(prices, invocations=1, duration_ms=1, memory_mb=128, arch="sparc")
