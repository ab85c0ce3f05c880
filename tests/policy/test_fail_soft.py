"""No policy aborts the analysis: a failing policy is a violation of that policy, the others still run.

The mechanism sits where the pack is assembled (``iot_tiers_policy.pack_policies``), so it
covers every module that exports ``POLICIES``, including ones we did not write. These tests
add such a module to a pack (as another concern's author would, by dropping a file into
the package), start the pack as the CLI does and speak its protocol.
"""

from __future__ import annotations

import json
import textwrap
import pytest

from iot_tiers.cli import main
from iot_tiers.offline.analyzer import PolicyPackClient, Resource, reconcile_config

from .conftest import STACK_URN, res, urn

BROKEN_MODULE = '''
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

PRICES = {"t3.micro": 0.0104}


def price_instances(args, report_violation):
    # A lookup that assumes every instance type is in its table.
    if args.resource_type == "aws:ec2/instance:Instance":
        PRICES[args.props["instanceType"]]


async def divide(args, report_violation):
    report_violation("reported before failing", None)
    return len(args.resources) / 0


POLICIES = [
    ResourceValidationPolicy(name="security-instance-prices", description="Prices every instance.",
                             validate=price_instances, enforcement_level=EnforcementLevel.MANDATORY),
    StackValidationPolicy(name="cost-divides-by-zero", description="Divides by zero.",
                          validate=divide, enforcement_level=EnforcementLevel.ADVISORY),
]
'''


@pytest.fixture(scope="module")
def pack_with_a_broken_module(tmp_path_factory):
    root = tmp_path_factory.mktemp("pack")
    extra = root / "extra"
    extra.mkdir()
    (extra / "broken_concern.py").write_text(BROKEN_MODULE)
    (root / "PulumiPolicy.yaml").write_text("name: iot-tiers\nversion: 0.1.0\nruntime: python\n")
    (root / "__main__.py").write_text(textwrap.dedent(f"""
        import iot_tiers_policy
        from pulumi_policy import EnforcementLevel, PolicyPack

        # Another concern's module, found the way pack_policies finds every module of the package.
        iot_tiers_policy.__path__.append({str(extra)!r})
        PolicyPack(name="iot-tiers", policies=iot_tiers_policy.pack_policies(),
                   enforcement_level=EnforcementLevel.MANDATORY)
        """))
    client = PolicyPackClient(root, project="fixtures", stack="test")
    client.start()
    try:
        client.handshake_and_configure_stack()
        info = client.analyzer_info()
        client.configure(reconcile_config(info, {}))
        yield client
    finally:
        client.close()


def test_a_resource_policy_that_raises_is_a_violation_on_that_resource(pack_with_a_broken_module):
    box = res("aws:ec2/instance:Instance", "box", {"instanceType": "m7i.large"})
    diags = pack_with_a_broken_module.analyze(box)
    [broken] = [d for d in diags if d.policy == "security-instance-prices"]
    assert broken.urn == urn("aws:ec2/instance:Instance", "box") and broken.level == "mandatory"
    assert "could not evaluate: KeyError: 'm7i.large' (at broken_concern.py:" in broken.message
    assert "in price_instances)" in broken.message
    # The pack's own resource policies still answered for the same resource.
    assert {d.policy for d in diags} > {"security-instance-prices"}


def test_a_stack_policy_that_raises_keeps_what_it_reported_and_the_others_still_run(pack_with_a_broken_module):
    stack = [Resource(urn=STACK_URN, type="pulumi:pulumi:Stack", name="fixtures-test", properties={}),
             res("aws:ec2/instance:Instance", "box", {"instanceType": "m7i.large"})]
    diags = pack_with_a_broken_module.analyze_stack(stack)
    mine = [d.message for d in diags if d.policy == "cost-divides-by-zero"]
    assert any(m.endswith("reported before failing") for m in mine)
    assert any("could not evaluate: ZeroDivisionError: division by zero" in m for m in mine)
    # The instance declares no profile: the placement policies still say so.
    assert [d.urn for d in diags if d.policy == "placement-profile-declared"] == [
        urn("aws:ec2/instance:Instance", "box")]


def test_every_policy_of_the_shipped_pack_fails_soft():
    from iot_tiers_policy import pack_policies

    assert [p.name for p in pack_policies() if not getattr(p.validate, "_fails_soft", False)] == []


UNPRICED = """
import pulumi_aws as aws

aws.ec2.Instance("reporting", ami="ami-0123456789abcdef0", instance_type="{itype}",
                 tags={{"workload:connections": "none", "workload:trigger": "continuous"}})
"""


@pytest.mark.parametrize("itype", ["m7i.large", "c7i.xlarge", "g6.xlarge"])
def test_an_instance_type_the_price_table_may_lack_never_aborts_the_preview(capsys, tmp_path, itype):
    (tmp_path / "Pulumi.yaml").write_text("name: reporting\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(UNPRICED.format(itype=itype))
    config = tmp_path / "budget.json"
    config.write_text(json.dumps({"cost-monthly-budget": {"enforcementLevel": "mandatory", "monthlyBudgetUsd": 10}}))
    code = main(["preview", "--stack", "prod", "--program", str(tmp_path), "--policy-config", str(config), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and "error" not in doc
    [verdict] = doc["placements"]
    assert (verdict["name"], verdict["placedOn"], verdict["step"]) == ("reporting", "ec2", 0 if itype[0] == "g" else 3)
    budget = [v["message"] for v in doc["violations"] if v["policy"] == "cost-monthly-budget"]
    # Either the cost model prices the type, or the budget policy says it could not: never an abort.
    assert budget and all("estimated $" in m or ("could not evaluate" in m and itype in m) for m in budget), budget


def test_disabling_the_budget_policy_with_an_unpriced_type_prints_the_full_report(capsys, tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: reporting\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(UNPRICED.format(itype="m7i.large"))
    config = tmp_path / "off.json"
    config.write_text(json.dumps({"cost-monthly-budget": "disabled"}))
    code = main(["preview", "--stack", "dev", "--program", str(tmp_path), "--policy-config", str(config), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and doc["summary"]["resources"] == 1
    assert "total_usd" in doc["summary"]["monthlyCost"] or "m7i.large" in doc["summary"]["monthlyCost"]["error"]
    code = main(["preview", "--stack", "dev", "--program", str(tmp_path), "--policy-config", str(config)])
    out = capsys.readouterr().out
    assert "Estimated monthly cost:" in out and out.rstrip().endswith(("PASSED", "FAILED"))
