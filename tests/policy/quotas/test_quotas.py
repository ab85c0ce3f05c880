"""The service quotas a stack needs above a new account's defaults (issue 15, part 3 and item 14).

programs/team is written the way a team writes Pulumi; its needs, by hand from AWS's rules:

Lambda concurrent executions: ingest reserves 20 (its 5 provisioned count within the reservation,
  per the Lambda guide), reporter reserves nothing but provisions 3 (from the account's pool), cleanup
  neither; AWS keeps 100 unreserved (botocore PutFunctionConcurrency): 20 + 3 + 100 = 123.
EC2 vCPUs: the workers group at maxSize 10, onDemandBaseCapacity 2 and 25% on-demand above it runs
  2 + 8 x 0.25 = 4 on-demand and 6 Spot instances, each at worst 4 vCPUs (m6g.xlarge, c6g.xlarge; the
  m6g.large has 2): Standard On-Demand 4 x 4 + the t3.micro bastion's 2 = 18, Standard Spot 6 x 4 = 24.
Fargate: api runs at most 10 tasks (its scalable target) of cpu 512 = 0.5 vCPU, 5 vCPU; a rolling
  deploy at deploymentMaximumPercent 150 runs floor(10 x 1.5) = 15 tasks: 7.5 vCPU.
Elastic IPs: 3 NAT addresses + 3 for the gateway's NLB = 6. NAT gateways: two in us-east-1a, one in b:
  2 in the busiest zone.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from iot_tiers.cli import main
from iot_tiers.cli.preview import render
from iot_tiers.offline.harness import run_stack
from iot_tiers.offline.preflight import run_preview
from iot_tiers.offline.quotas import report_lines
from iot_tiers_policy.graph import Node
from iot_tiers_policy.quotas import assess, quota
from iot_tiers_policy.quotas.fargate import split
from iot_tiers_policy.service_quotas import NAME, POLICIES
from policy.cost.cost_support import analyze_stack
from support import REPO_ROOT, REPO_STACK_CONFIG

TEAM = Path(__file__).resolve().parent / "programs" / "team"


@pytest.fixture(scope="module")
def team_capture():
    return run_stack(TEAM, "test", new_stack=True)


@pytest.fixture(scope="module")
def team(team_capture):
    return assess(team_capture.resources, region="us-east-1")


def need(report, key):
    found = report.need(key)
    return None if found is None else found.amount


# ---------------------------------------------------------------- a team's program, by hand

def test_lambda_need_is_the_reservations_plus_unreserved_provisioned_plus_the_100_aws_keeps(team):
    assert need(team, "lambda.concurrent_executions") == 20 + 3 + 100
    lam = team.need("lambda.concurrent_executions")
    assert lam.exceeds and "ingest reserves 20 (its 5 provisioned count within the reservation)" in \
        [p.how for p in lam.parts]
    assert "--service-code lambda --quota-code L-B99A9384 --desired-value 123" in lam.as_json("us-east-1")["request"]


def test_group_at_max_size_is_split_by_its_on_demand_base_and_percentage_at_its_largest_type(team):
    on_demand = (2 + (10 - 2) * 25 // 100) * 4 + 2   # workers + the bastion
    spot = (10 - (2 + (10 - 2) * 25 // 100)) * 4
    assert (need(team, "ec2.on_demand.standard"), need(team, "ec2.spot.standard")) == (on_demand, spot)
    assert need(team, "ec2.on_demand.g_vt") is None


def test_fargate_need_is_the_rolling_deploy_at_its_maximum_percent_of_the_most_tasks(team):
    assert need(team, "fargate.on_demand_vcpu") == math.floor(10 * 150 / 100) * 512 / 1024
    assert "10 tasks at most (api-scaling maxCapacity)" in team.need("fargate.on_demand_vcpu").parts[0].how
    assert team.need("fargate.on_demand_vcpu").as_json()["request"].endswith("--desired-value 8")


def test_every_elastic_ip_counts_and_nat_gateways_count_in_their_busiest_zone(team):
    assert need(team, "ec2.elastic_ips") == 6 and team.need("ec2.elastic_ips").exceeds
    assert need(team, "vpc.nat_gateways_per_az") == 2 and not team.need("vpc.nat_gateways_per_az").exceeds
    assert not team.not_assessed


def test_capacity_provider_strategy_gives_each_its_base_then_shares_by_weight_rounding_up():
    strategy = [{"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3}]
    # 8 tasks: 1 base on FARGATE, the other 7 by 1:3 -> 1.75 and 5.25, each rounded up
    assert split(8, strategy) == {"FARGATE": 1 + 2, "FARGATE_SPOT": 6}


# ---------------------------------------------------------------- what cannot be assessed

def node(name, typ, props, parent=None, deps=None):
    return Node(f"urn:pulumi:test::p::{typ}::{name}", typ, name, props, parent, [], deps or {})


def test_an_instance_type_the_bundled_data_lacks_is_not_assessed_by_name():
    report = assess([node("mystery", "aws:ec2/instance:Instance", {"instanceType": "m99g.large"})])
    assert report.needs == []
    [skipped] = report.not_assessed
    assert skipped.resource == "mystery" and "m99g.large" in skipped.reason and "not in the bundled" in skipped.reason


def test_a_group_with_one_unknown_type_is_assessed_on_the_types_the_data_knows():
    group = node("mixed", "aws:autoscaling/group:Group", {
        "maxSize": 3, "mixedInstancesPolicy": {"launchTemplate": {"overrides": [
            {"instanceType": "c6g.2xlarge"}, {"instanceType": "m99g.large"}]}}})
    report = assess([group])
    assert need(report, "ec2.on_demand.standard") == 3 * 8
    assert [s.what for s in report.not_assessed] == ["EC2 vCPUs of m99g.large"]


def test_inputs_of_the_wrong_shape_are_not_assessed_never_an_error():
    garbage = [
        node("fn", "aws:lambda/function:Function", {"reservedConcurrentExecutions": "lots"}),
        node("asg", "aws:autoscaling/group:Group", {"maxSize": 4, "mixedInstancesPolicy": "spot please"}),
        node("weighted", "aws:autoscaling/group:Group", {"maxSize": 4, "mixedInstancesPolicy": {"launchTemplate": {
            "overrides": [{"instanceType": "c6g.large", "weightedCapacity": 0}]}}}),
        node("svc", "aws:ecs/service:Service", {"capacityProviderStrategies": [{"capacityProvider": ["FARGATE"]}]}),
        node("vpc", "awsx:ec2:Vpc", {"natGateways": "OnePerAz"}),
        node("big", "aws:ec2/instance:Instance", {"instanceType": "c6g.large", "count": "inf"}),
    ]
    report = assess(garbage)
    assert {s.resource for s in report.not_assessed} == {"fn", "asg", "weighted", "svc", "vpc"}
    assert need(report, "ec2.on_demand.standard") == 2   # the one readable instance still counts


def test_awsx_vpc_addresses_count_from_its_inputs_only_while_its_children_are_hidden():
    vpc = node("vpc", "awsx:ec2:Vpc", {"natGateways": {"strategy": "OnePerAz"}, "numberOfAvailabilityZones": 3})
    assert need(assess([vpc]), "ec2.elastic_ips") == 3
    children = [node(f"vpc-eip-{i}", "aws:ec2/eip:Eip", {"domain": "vpc"}, parent=vpc.urn) for i in range(3)]
    assert need(assess([vpc, *children]), "ec2.elastic_ips") == 3   # the children, not the inputs again


def test_a_stack_within_every_default_gets_one_line_saying_none_exceed():
    report = assess([node("bastion", "aws:ec2/instance:Instance", {"instanceType": "t3.micro"})])
    lines = report_lines(report.as_json())
    assert lines[0] == "Service quotas: none of the 1 the stack uses exceed a new account's defaults"
    assert not [line for line in lines if "request-service-quota-increase" in line]


# ---------------------------------------------------------------- the repo's stacks

@pytest.fixture(scope="module")
def prod():
    return run_preview(REPO_ROOT, "prod", extra_config=REPO_STACK_CONFIG["prod"])


@pytest.fixture(scope="module")
def dev():
    return run_preview(REPO_ROOT, "dev")


def config(stack):
    doc = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k.split(":", 1)[1]: v for k, v in doc.items() if k.startswith("iot-tiers:")}


def lambda_need(capture):
    """Sum over functions of max(reserved, provisioned) + 100, from the captured inputs; 0 without any."""
    functions = {r.urn: r for r in capture.resources if r.type == "aws:lambda/function:Function"}
    provisioned = {urn: 0 for urn in functions}
    for r in capture.resources:
        if r.type.startswith("aws:lambda/provisionedConcurrencyConfig"):
            [fn] = [u for u in r.property_dependencies["functionName"] if u in functions]
            provisioned[fn] += r.inputs["provisionedConcurrentExecutions"]
    claimed = sum(max(max(fn.inputs.get("reservedConcurrentExecutions", 0), 0), provisioned[urn])
                  for urn, fn in functions.items())
    return claimed + 100 if claimed else 0


def test_prod_report_says_the_lambda_and_gvt_quotas_to_request_with_their_numbers(prod, prices):
    cfg = config("prod")
    [asg] = [r for r in prod.capture.resources if r.type == "aws:autoscaling/group:Group"]
    pct = asg.inputs["mixedInstancesPolicy"]["instancesDistribution"]["onDemandPercentageAboveBaseCapacity"]
    largest = max(prices.instance(t).vcpu for t in cfg["heavyInferenceInstanceTypes"])
    base, top = cfg["heavyInferenceOnDemandBase"], cfg["heavyInferenceMaxSize"]
    on_demand = math.ceil(base + (top - base) * pct / 100)
    text = render(prod)
    lam = lambda_need(prod.capture)
    assert lam > quota("lambda.concurrent_executions").new_account
    assert f"Lambda concurrent executions (lambda L-B99A9384): need {lam} " in text
    assert f"--service-code lambda --quota-code L-B99A9384 --desired-value {lam}" in text
    assert f"EC2 Running On-Demand G and VT instances (ec2 L-DB2E81BA): need {on_demand * largest} vCPUs; " \
           f"default 0" in text
    assert f"EC2 All G and VT Spot Instance Requests (ec2 L-3819A6DF): need {(top - on_demand) * largest} " in text
    assert "`pulumi up` fails" in text and prod.passed   # information, never a violation


def test_dev_report_has_what_its_inputs_imply(dev, prices):
    cfg = config("dev")
    lam = lambda_need(dev.capture)
    [service] = [r for r in dev.capture.resources if r.type == "aws:ecs/service:Service"]
    fargate = math.floor(cfg["realtimeMaxCount"] * service.inputs.get("deploymentMaximumPercent", 200) / 100) \
        * cfg["realtimeCpu"] / 1024
    standard = sum(prices.instance(cfg[f"heavy{role.title()}InstanceTypes"][0]).vcpu for role in cfg["heavyRoles"])
    expected = {"lambda.concurrent_executions"} if lam > 10 else set()
    expected |= {"fargate.on_demand_vcpu"} if fargate > 6 else set()
    expected |= {"ec2.on_demand.standard"} if standard > 5 else set()
    assert {n["quota"] for n in dev.quotas["exceeding"]} == expected
    needs = {n["quota"]: n["need"] for n in dev.quotas["needs"]}
    assert needs.get("lambda.concurrent_executions", 0) == lam
    assert (needs["fargate.on_demand_vcpu"], needs["ec2.on_demand.standard"]) == (fargate, standard)
    if not expected:
        assert "none of the" in render(dev)


def test_preview_json_carries_the_quota_report_and_keeps_the_exit_code(capsys, dev):
    code = main(["preview", "--stack", "dev", "--program", str(REPO_ROOT), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == (0 if dev.passed else 1)
    assert doc["quotas"]["exceeding"] == dev.quotas["exceeding"] and doc["quotas"]["needs"]
    for entry in doc["quotas"]["needs"]:
        assert {"serviceCode", "quotaCode", "need", "default", "how", "source"} <= set(entry)


def test_deploying_doc_lists_every_request_the_prod_report_makes_before_up(prod):
    doc = (REPO_ROOT / "docs" / "deploying.md").read_text()
    section = doc.split("## First deploy: service quotas", 1)[1].split("\n## ", 1)[0]
    listed = {line for line in section.splitlines() if line.startswith("aws service-quotas request-")}
    assert listed == {n["request"] for n in prod.quotas["exceeding"]}


# ---------------------------------------------------------------- the pack's advisory

def test_pack_advisory_reports_each_quota_above_a_new_account_with_its_request_command(team_capture):
    capture = team_capture
    diags = analyze_stack(POLICIES, capture)
    assert {d["level"] for d in diags} == {"advisory"} and {d["policy"] for d in diags} == {NAME}
    expected = assess(capture.resources).exceeding
    assert len(diags) == len(expected)
    for n in expected:
        [d] = [d for d in diags if f"({n.quota.service_code} {n.quota.quota_code})" in d["message"]]
        assert f"the stack needs {n.amount:,g} {n.quota.unit}" in d["message"]
        assert f"--quota-code {n.quota.quota_code} --desired-value {math.ceil(n.amount)}" in d["message"]


def test_account_quotas_in_the_policy_config_judge_those_quotas_against_the_account(team_capture):
    capture = team_capture
    granted = {"L-B99A9384": 123, "L-1216C47A": 17}   # Lambda exactly enough, Standard one vCPU short
    diags = analyze_stack(POLICIES, capture, {NAME: {"accountQuotas": granted}})
    messages = " ".join(d["message"] for d in diags)
    assert "L-B99A9384" not in messages
    assert "(ec2 L-1216C47A): the stack needs 18 vCPUs, and your account has 17 (accountQuotas)" in messages


def test_the_quota_report_runs_from_a_copy_of_policies_alone(tmp_path):
    """As `pulumi policy publish` uploads the pack: no iot_tiers or components beside it."""
    shutil.copytree(REPO_ROOT / "policies", tmp_path / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    script = textwrap.dedent("""
        import sys
        from iot_tiers_policy.graph import Graph, Node
        from iot_tiers_policy.service_quotas import check
        asg = Node("urn:g", "aws:autoscaling/group:Group", "gpu", {"maxSize": 2, "mixedInstancesPolicy": {
            "launchTemplate": {"overrides": [{"instanceType": "g5.xlarge"}]}}})
        print([m for m, _ in check(Graph([asg]), {})])
        assert not any(m.split(".")[0] in ("components", "iot_tiers") for m in sys.modules), "imported the repo"
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path / "policies", capture_output=True,
                            text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    assert "(ec2 L-DB2E81BA): the stack needs 8 vCPUs" in result.stdout
