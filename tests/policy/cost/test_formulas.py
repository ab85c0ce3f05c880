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
    """on-demand 730 x $0.0416 = $30.368; 1-yr no-upfront 730 x $0.0261 = $19.053;
    spot at the t3 family's typical 65% off: $30.368 x 0.35 = $10.6288."""
    assert usd(f.ec2_costs(prices, instance_type="t3.medium")) == pytest.approx(30.368)
    assert usd(f.ec2_costs(prices, instance_type="t3.medium", pricing="reserved")) == pytest.approx(19.053)
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


def test_ec2_refuses_an_unpriced_instance_type_and_says_how_to_add_it(prices):
    from iot_tiers_policy.cost import PriceError

    with pytest.raises(PriceError, match=r"x9\.huge.*1,367 types.*--prices FILE \(ec2\.instances\.x9\.huge"):
        f.ec2_costs(prices, instance_type="x9.huge")


def test_fargate_windows_pays_its_own_rates_and_the_os_license(prices):
    """1 task, 1 vCPU / 2 GB on Windows: 730 h x (1 x $0.09148 + 2 x $0.01005 + 1 x $0.046 license)
    = 730 x $0.15758 = $115.0334. Windows runs on x86_64 only, and not on Spot."""
    items = f.fargate_costs(prices, tasks=1, vcpu=1, memory_gb=2, os="windows")
    assert usd(items) == pytest.approx(115.0334)
    with pytest.raises(ValueError, match="x86_64 only"):
        f.fargate_costs(prices, tasks=1, vcpu=1, memory_gb=2, os="windows", arch="arm64")
    with pytest.raises(ValueError, match="Spot does not run Windows"):
        f.fargate_costs(prices, tasks=1, vcpu=1, memory_gb=2, os="windows", spot_share=0.5)


def test_ebs_io2_of_500_gb_and_10000_iops_is_712_50_not_priced_as_gp3(prices):
    """500 GB x $0.125 = $62.50; 10,000 IOPS x $0.065 = $650.00: $712.50 (as gp3 it was $40 + $35)."""
    items = f.ebs_costs(prices, size_gb=500, volume_type="io2", iops=10_000)
    assert [i.usd for i in items] == pytest.approx([62.5, 650.0])


def test_ebs_io2_iops_are_tiered_per_volume_io1_iops_are_not(prices):
    """io2 at 70,000 IOPS: 32,000 x $0.065 + 32,000 x $0.0455 + 6,000 x $0.03185 = $2,080 + $1,456 + $191.10
    = $3,727.10 per volume, for two volumes $7,454.20 (tiers per volume, not across them).
    io1 at 40,000 IOPS: 40,000 x $0.065 = $2,600."""
    io2 = f.ebs_costs(prices, size_gb=100, volume_type="io2", iops=70_000, count=2)
    assert io2[1].usd == pytest.approx(2 * 3727.10)
    io1 = f.ebs_costs(prices, size_gb=100, volume_type="io1", iops=40_000)
    assert io1[1].usd == pytest.approx(2600.0)


def test_ebs_hdd_gp2_and_magnetic_volumes_bill_gb_months(prices):
    """st1 500 GB x $0.045 = $22.50; sc1 500 GB x $0.015 = $7.50; gp2 10 GB x $0.10 = $1.00;
    magnetic 20 GB x $0.05 = $1.00 + 1M I/O x $0.05/M = $0.05."""
    assert usd(f.ebs_costs(prices, size_gb=500, volume_type="st1")) == pytest.approx(22.5)
    assert usd(f.ebs_costs(prices, size_gb=500, volume_type="sc1")) == pytest.approx(7.5)
    assert usd(f.ebs_costs(prices, size_gb=10, volume_type="gp2")) == pytest.approx(1.0)
    assert usd(f.ebs_costs(prices, size_gb=20, volume_type="standard", io_requests=1e6)) == pytest.approx(1.05)


def test_ebs_refuses_a_volume_type_aws_does_not_have(prices):
    from iot_tiers_policy.cost import PriceError

    with pytest.raises(PriceError, match="'gp4': priced types are gp2, gp3, io1, io2, st1, sc1, standard"):
        f.ebs_costs(prices, size_gb=10, volume_type="gp4")


def test_snapshots_keep_the_used_data_once_and_the_changed_blocks_after(prices):
    """200 GB, a snapshot every 12 h, 14 kept, 2% of it rewritten a day: 200 + 13 x (4 GB x 12/24)
    = 226 GB-months x $0.05 = $11.30."""
    gb = f.snapshot_storage_gb(used_gb=200, daily_change_gb=4, interval_hours=12, kept=14)
    assert gb == 226
    assert usd(f.snapshot_costs(prices, gb_months=gb)) == pytest.approx(11.30)


def test_ec2_detailed_monitoring_is_seven_metrics_per_instance(prices):
    """7 metrics x $0.30 = $2.10 an instance (Infracost's golden file shows the same); 2 instances $4.20."""
    assert usd(f.cloudwatch_costs(prices, detailed_instances=2)) == pytest.approx(4.20)


def test_an_internet_facing_load_balancer_pays_a_public_ipv4_address_per_az(prices):
    """3 AZs: 3 x 730 h x $0.005 = $10.95 on top of the ALB hours."""
    items = f.load_balancer_costs(prices, public_ipv4=3)
    assert items[-1].usd == pytest.approx(10.95)


def test_ec2_reserved_t3_medium_is_0_0261_an_hour_not_rounded(prices):
    """1-year standard no upfront: $0.0261 x 730 = $19.053 (Infracost's golden file: $19.05)."""
    assert usd(f.ec2_costs(prices, instance_type="t3.medium", pricing="reserved")) == pytest.approx(19.053)


def test_ebs_gp3_charges_iops_and_throughput_above_the_baseline(prices):
    """100 GB x $0.08 = $8; 6,000 IOPS = 3,000 above x $0.005 = $15; 250 MB/s = 125 above x $0.04 = $5."""
    items = f.ebs_costs(prices, size_gb=100, iops=6000, throughput=250)
    assert [i.usd for i in items] == pytest.approx([8.0, 15.0, 5.0])


def test_iot_core_messaging_is_tiered_past_one_billion(prices):
    """100M msgs/day = 3,041,666,667 a month: 1e9 x $1/M + 2,041,666,667 x $0.80/M = $2,633.33."""
    items = f.iot_core_costs(prices, devices=0, connected_fraction=0, messages=1e8 * DAYS_PER_MONTH,
                             payload_bytes=512)
    assert items[1].usd == pytest.approx(2633.3333, abs=1e-3)


def test_iot_core_messages_billed_after_others_pay_the_tier_they_fall_in(prices):
    """Tiers are per account: 10M messages after 999M already billed are 1M at $1/M + 9M at $0.80/M = $8.20."""
    items = f.iot_messaging_costs(prices, messages=10e6, message_bytes=541, what="x", already_billed=999e6)
    assert items[0].usd == pytest.approx(1.0 + 9 * 0.8)


def test_iot_core_meters_a_6_kb_message_as_two(prices):
    """6 KB > 5 KB: 2 meters. 1M messages -> 2M metered = $2.00; connectivity
    100 devices x 50% x 43,800 min = 2,190,000 minutes x $0.08/M = $0.1752."""
    items = f.iot_core_costs(prices, devices=100, connected_fraction=0.5, messages=1e6, payload_bytes=6 * 1024)
    assert items[0].usd == pytest.approx(0.1752)
    assert items[1].quantity == 2e6
    assert items[1].usd == pytest.approx(2.0)


def test_iot_core_meters_the_topic_too(prices):
    """A 5,100-byte payload on a 29-byte topic is 5,129 bytes > 5,120: two 5 KB meters, not one."""
    items = f.iot_core_costs(prices, devices=0, connected_fraction=0, messages=1e6, payload_bytes=5100,
                             topic_bytes=29, rules=1)
    assert items[1].quantity == 2e6
    assert items[2].quantity == 2e6  # the rule is metered in the same 5 KB steps


def test_sqs_drained_by_lambda_counts_receives_and_deletes_per_batch_plus_idle_polls(prices):
    """43.8M messages of 569 B in batches of 16.67: 2,628,000 invocations, each 2 receives (10 + 6.67
    messages, 5,690 and 3,793 B: one 64 KB chunk each) and 2 DeleteMessageBatch calls; 0.0833 pollers busy,
    so 4.9167 idle x 3 polls/min x 43,800 min = 646,050 empty receives.
    43,800,000 + 5,256,000 + 5,256,000 + 646,050 = 54,958,050 x $0.40/M = $21.98322."""
    req = f.sqs_lambda_requests(43.8e6, 569, 43.8e6 / 2_628_000, busy_pollers=2_628_000 / 2_628_000 * 0.0833333)
    assert req["sends"] == 43.8e6
    assert req["receives"] == pytest.approx(5_256_000)
    assert req["deletes"] == pytest.approx(5_256_000)
    assert req["idle_receives"] == pytest.approx(646_050, abs=1)
    assert usd(f.sqs_costs(prices, requests=sum(req.values()))) == pytest.approx(21.98322, abs=1e-4)


def test_a_full_sqs_batch_of_100_large_messages_is_billed_per_64_kb_chunk_of_each_receive():
    """10 invocations of 100 messages of 20 KB: each 10 receives of 10 x 20 KB = 200 KB = 4 chunks of 64 KB,
    so 400 billed receives, and 10 deletes each; a send of 20 KB is one chunk; all 5 pollers busy: no idle polls."""
    req = f.sqs_lambda_requests(1000, 20 * 1024, 100, busy_pollers=5)
    assert req["sends"] == 1000
    assert req["receives"] == 10 * 10 * 4
    assert req["deletes"] == 10 * 10
    assert req["idle_receives"] == 0


def test_idle_sqs_queue_still_pays_for_lambda_long_polling(prices):
    """5 pollers x 3 polls/min x 43,800 min = 657,000 receives x $0.40/M = $0.2628."""
    req = f.sqs_lambda_requests(0, 512, 1)
    assert req["idle_receives"] == 657_000
    assert usd(f.sqs_costs(prices, requests=sum(req.values()))) == pytest.approx(0.2628)


def test_a_lambda_sqs_batch_closes_at_the_batch_size_or_the_window_whichever_first():
    """The dev stack: 500 devices x 120/h = 60,000 msg/h = 16.67 msg/s. A 1 s window closes a batch at
    about 17 messages, not the batch size of 100: 43.8M / 16.67 = 2,628,000 invocations, not 438,000."""
    per = f.sqs_batch_messages(43.8e6, 100, 1)
    assert per == pytest.approx(60_000 / 3600)
    assert 43.8e6 / per == pytest.approx(2_628_000)
    assert f.sqs_batch_messages(43.8e6, 10, 1) == 10            # the batch size closes it first
    assert f.sqs_batch_messages(43.8e6 * 100, 100, 1) == 100    # 1,667 msg/s fills 100 well within 1 s
    assert f.sqs_batch_messages(43.8e6, 100, 0) == 1            # no window: invoked as messages arrive
    assert f.sqs_batch_messages(1000, 100, 20) == 1             # a trickle never batches below one


def test_dynamodb_provisioned_capacity_is_billed_by_the_hour(prices):
    """20 WCU x 730 h x $0.00065 = $9.49; 30 RCU x 730 x $0.00013 = $2.847 (Infracost's golden file: $9.49, $2.85)."""
    items = f.dynamodb_costs(prices, wcu=20, rcu=30)
    assert [round(i.usd, 3) for i in items[:2]] == [9.49, 2.847]


def test_dynamodb_writes_are_billed_per_started_kilobyte(prices):
    """612 B -> 1 WRU, 1,500 B -> 2 WRU; 1M items: $0.625 and $1.25."""
    assert f.dynamodb_costs(prices, writes=1e6, item_bytes=612)[0].usd == pytest.approx(0.625)
    assert f.dynamodb_costs(prices, writes=1e6, item_bytes=1500)[0].usd == pytest.approx(1.25)


def test_nat_gateway_costs_hours_data_and_its_public_address(prices):
    """730 x $0.045 = $32.85; 100 GB x $0.045 = $4.50; 730 x $0.005 = $3.65: $41.00."""
    assert usd(f.nat_gateway_costs(prices, count=1, gb_processed=100)) == pytest.approx(41.0)


def test_nat_data_processed_is_what_crosses_them_not_multiplied_by_the_gateways(prices):
    """3 gateways carrying 30 GB between them: 3 x 730 h x $0.045 = $98.55, 30 GB x $0.045 = $1.35."""
    items = f.nat_gateway_costs(prices, count=3, gb_processed=30, addresses=False)
    assert [round(i.usd, 4) for i in items] == [98.55, 1.35]


def test_alb_capacity_units_are_the_largest_dimension(prices):
    """6,000 active connections = 2 LCU (3,000 each) beats 0.5 GB/h: 730 x $0.0225 = $16.425
    + 2 x 730 x $0.008 = $11.68."""
    items = f.load_balancer_costs(prices, active_connections=6000, processed_gb_per_hour=0.5)
    assert [i.usd for i in items] == pytest.approx([16.425, 11.68])


def test_unknown_architecture_is_refused_with_the_allowed_values(prices):
    with pytest.raises(ValueError, match="x86_64, arm64"):
        f.lambda_costs(prices, invocations=1, duration_ms=1, memory_mb=128, arch="sparc")
