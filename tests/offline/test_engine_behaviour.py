"""The harness behaves like the Pulumi engine on programs we did not write.

Each test writes a small program, runs it through the capturing harness and checks what
the engine itself would do (pulumi/pulumi ``pkg/resource/deploy/source_eval.go`` and
``step_generator.go``; the CLI's ``ValidateStackConfigAndApplyProjectConfig``).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from iot_tiers.offline.harness import ProgramError, run_stack
from iot_tiers.offline.monitor import UNKNOWN_MARKER
from iot_tiers.offline.project import ProjectError


def program(tmp_path: Path, main: str, *, name: str = "team-app", config: str = "", files: dict | None = None,
            stack_file: str | None = None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n{config}")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(main))
    for rel, text in (files or {}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(text))
    if stack_file is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_file)
    return tmp_path


def by_name(capture, name):
    return next(r for r in capture.resources if r.name == name)


# ---------------------------------------------------------------- a new stack

def test_a_stack_without_a_stack_file_runs_with_the_declared_defaults(tmp_path):
    prog = program(tmp_path, """
        import pulumi, pulumi_aws as aws
        cfg = pulumi.Config()
        aws.sqs.Queue("jobs", visibility_timeout_seconds=cfg.require_int("visibility"),
                      tags={"team": cfg.require("team"), "tier": cfg.get("tier") or "bronze"})
        """, config="config:\n  team-app:visibility:\n    type: integer\n    default: 120\n  team: payments\n")
    capture = run_stack(prog, "dev", new_stack=True)
    q = by_name(capture, "jobs")
    assert q.inputs["visibilityTimeoutSeconds"] == 120
    assert q.inputs["tags"] == {"team": "payments", "tier": "bronze"}
    assert capture.new_stack is True


def test_without_opting_in_a_missing_stack_file_still_names_the_stacks(tmp_path):
    prog = program(tmp_path, "import pulumi\n", stack_file="config: {}\n")
    with pytest.raises(ProjectError, match=r"no stack file Pulumi.qa.yaml .*stacks here: dev"):
        run_stack(prog, "qa")


def test_a_declared_key_without_default_or_value_is_the_clis_error(tmp_path):
    prog = program(tmp_path, "import pulumi\n",
                   config="config:\n  apiUrl:\n    type: string\n  replicas:\n    type: integer\n")
    with pytest.raises(ProjectError) as err:
        run_stack(prog, "dev", new_stack=True)
    assert str(err.value) == "Stack 'dev' is missing configuration values 'apiUrl' and 'replicas'"


def test_a_value_of_the_wrong_declared_type_is_the_clis_error(tmp_path):
    prog = program(tmp_path, "import pulumi\n", config="config:\n  replicas:\n    type: integer\n",
                   stack_file="config:\n  team-app:replicas: three\n")
    with pytest.raises(ProjectError, match="Stack 'dev' with configuration key 'replicas' must be of type 'integer'"):
        run_stack(prog, "dev")


# ---------------------------------------------------------------- URNs

def test_urns_are_the_engines(tmp_path):
    prog = program(tmp_path, """
        import pulumi, pulumi_aws as aws
        class Outer(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("acme:index:Outer", name)
                inner = Inner(f"{name}-inner", pulumi.ResourceOptions(parent=self))
        class Inner(pulumi.ComponentResource):
            def __init__(self, name, opts):
                super().__init__("acme:index:Inner", name, None, opts)
                aws.sqs.Queue(f"{name}-q", opts=pulumi.ResourceOptions(parent=self))
        aws.sqs.Queue("top")
        Outer("o")
        """)
    capture = run_stack(prog, "dev", new_stack=True)
    # Parented to the stack: no "pulumi:pulumi:Stack$" in the type; nested: the whole chain of types.
    assert by_name(capture, "top").urn == "urn:pulumi:dev::team-app::aws:sqs/queue:Queue::top"
    assert by_name(capture, "o-inner-q").urn == \
        "urn:pulumi:dev::team-app::acme:index:Outer$acme:index:Inner$aws:sqs/queue:Queue::o-inner-q"


def test_two_resources_with_one_urn_fail_the_program_with_the_engines_message(tmp_path):
    prog = program(tmp_path, """
        import pulumi_aws as aws
        for team in ("payments", "billing"):
            aws.sqs.Queue("jobs", tags={"team": team})
        """)
    with pytest.raises(ProgramError) as err:
        run_stack(prog, "dev", new_stack=True)
    assert str(err.value) == ("error: Duplicate resource URN 'urn:pulumi:dev::team-app::aws:sqs/queue:Queue::jobs'; "
                              "try giving it a unique name")


def test_one_name_under_two_components_of_one_type_is_still_a_duplicate(tmp_path):
    prog = program(tmp_path, """
        import pulumi, pulumi_aws as aws
        class Team(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("acme:index:Team", name)
                aws.sqs.Queue("jobs", opts=pulumi.ResourceOptions(parent=self))
        Team("payments"); Team("billing")
        """)
    # Same type chain and name twice: still a duplicate, as in the engine (the parent's name is not in the URN).
    with pytest.raises(ProgramError, match="Duplicate resource URN"):
        run_stack(prog, "dev", new_stack=True)


# ---------------------------------------------------------------- transforms

TRANSFORMS = """
    import pulumi, pulumi_aws as aws

    def mark(label):
        def transform(args):
            if args.type_ != "aws:sqs/queue:Queue":
                return None
            tags = dict(args.props.get("tags") or {})
            tags["order"] = (tags.get("order", "") + " " + label).strip()
            return pulumi.ResourceTransformResult(props={**args.props, "tags": tags}, opts=args.opts)
        return transform

    pulumi.runtime.register_resource_transform(mark("stack"))

    class Team(pulumi.ComponentResource):
        def __init__(self, name, opts=None):
            super().__init__("acme:index:Team", name, None, opts)
            aws.sqs.Queue(f"{name}-jobs", visibility_timeout_seconds=30,
                          opts=pulumi.ResourceOptions(parent=self, transforms=[mark("own")]))

    Team("payments", pulumi.ResourceOptions(transforms=[mark("parent")]))
    aws.sqs.Queue("plain")
    """


def test_transforms_run_as_the_engine_runs_them_own_then_parents_then_stack(tmp_path):
    capture = run_stack(program(tmp_path, TRANSFORMS), "dev", new_stack=True)
    assert by_name(capture, "payments-jobs").inputs["tags"] == {"order": "own parent stack"}
    assert by_name(capture, "plain").inputs["tags"] == {"order": "stack"}


def test_a_transform_that_changes_an_input_changes_what_is_captured(tmp_path):
    prog = program(tmp_path, """
        import pulumi, pulumi_aws as aws
        def longer(args):
            return pulumi.ResourceTransformResult(props={**args.props, "timeout": 1200}, opts=args.opts)
        role = aws.iam.Role("r", assume_role_policy="{}")
        aws.lambda_.Function("etl", role=role.arn, runtime="python3.12", handler="h.h", timeout=60,
                             code=pulumi.AssetArchive({}), opts=pulumi.ResourceOptions(transforms=[longer]))
        """)
    fn = by_name(run_stack(prog, "dev", new_stack=True), "etl")
    assert fn.inputs["timeout"] == 1200
    # The resource-level dependency survives; as in the engine, property dependencies are
    # rebuilt from the transformed properties (the Python SDK returns them as plain values).
    assert any(u.endswith("aws:iam/role:Role::r") for u in fn.dependencies)


def test_a_transform_that_fails_fails_the_program_with_its_own_error(tmp_path):
    prog = program(tmp_path, """
        import pulumi, pulumi_aws as aws
        def broken(args):
            raise ValueError("tag policy service unavailable")
        pulumi.runtime.register_resource_transform(broken)
        aws.sqs.Queue("jobs")
        """)
    with pytest.raises(ProgramError, match="tag policy service unavailable"):
        run_stack(prog, "dev", new_stack=True)


def test_stack_invoke_transforms_change_the_invoke(tmp_path):
    prog = program(tmp_path, """
        import pulumi, pulumi_aws as aws
        def pin(args):
            return pulumi.InvokeTransformResult(args={**args.args, "name": "/pinned/ami"}, opts=args.opts)
        pulumi.runtime.register_invoke_transform(pin)
        ami = aws.ssm.get_parameter(name="/aws/service/ami/latest")
        aws.sqs.Queue("q", tags={"param": ami.name})
        """)
    assert by_name(run_stack(prog, "dev", new_stack=True), "q").inputs["tags"] == {"param": "/pinned/ami"}


# ---------------------------------------------------------------- known and unknown values

def test_stack_reference_outputs_are_unknown_and_shown_as_a_stable_marker(tmp_path):
    prog = program(tmp_path, """
        import pulumi, pulumi_aws as aws
        net = pulumi.StackReference("acme/network/prod")
        sg = aws.ec2.SecurityGroup("app", vpc_id=net.require_output("vpc_id"))
        """)
    sg = by_name(run_stack(prog, "dev", new_stack=True), "app")
    assert sg.as_json()["inputs"]["vpcId"] == UNKNOWN_MARKER
    assert json.dumps(sg.as_json())  # no <pulumi.output.Unknown object at 0x...>


def test_secrets_invokes_and_output_arguments_never_break_the_harness(tmp_path):
    prog = program(tmp_path, """
        import pulumi, pulumi_aws as aws
        cfg = pulumi.Config()
        token = cfg.require_secret("token")
        subnets = aws.ec2.get_subnets(filters=[{"name": "tag:tier", "values": ["private"]}])
        policy = aws.iam.get_policy_document(statements=[{"actions": ["sqs:SendMessage"], "resources": ["*"]}])
        class Worker(pulumi.ComponentResource):
            def __init__(self, name, queue_arn: pulumi.Input[str]):
                super().__init__("acme:index:Worker", name, {"queueArn": queue_arn})
                aws.sqs.Queue(f"{name}-dlq", tags={"source": queue_arn}, opts=pulumi.ResourceOptions(parent=self))
        q = aws.sqs.Queue("jobs", tags={"subnet": subnets.ids[0], "token": token})
        Worker("w", q.arn)
        aws.iam.Policy("send", policy=policy.json)
        """, stack_file="config:\n  team-app:token:\n    secure: v1:abc\n")
    capture = run_stack(prog, "dev")
    assert by_name(capture, "jobs").inputs["tags"]["token"] == "[secret]"
    assert isinstance(by_name(capture, "jobs").inputs["tags"]["subnet"], str)
    assert by_name(capture, "w-dlq").inputs["tags"]["source"].startswith("arn:aws:sqs:")
    assert isinstance(by_name(capture, "send").inputs["policy"], str)


# ---------------------------------------------------------------- awsx components under mocks

AWSX = """
    import pulumi, pulumi_aws as aws, pulumi_awsx as awsx
    vpc = awsx.ec2.Vpc("vpc", nat_gateways={"strategy": "{strategy}"}, number_of_availability_zones=2)
    lb = awsx.lb.ApplicationLoadBalancer("lb", subnet_ids=vpc.public_subnet_ids,
                                         default_target_group={"port": 8080, "protocol": "HTTP"})
    aws.lb.ListenerRule("rule", listener_arn=lb.listeners.apply(lambda ls: ls[0].arn),
                        actions=[{"type": "forward", "target_group_arn": lb.default_target_group.arn}],
                        conditions=[{"path_pattern": {"values": ["/api/*"]}}])
    pulumi.export("dns", lb.load_balancer.dns_name)
    pulumi.export("nats", vpc.nat_gateways.apply(lambda gws: [g.id for g in gws]))
    pulumi.export("private", vpc.private_subnet_ids)
    """


@pytest.mark.parametrize("strategy,nats", [("Single", 1), ("OnePerAz", 2), ("None", 0)])
def test_awsx_outputs_have_their_schemas_shape_so_ordinary_programs_run(tmp_path, strategy, nats):
    capture = run_stack(program(tmp_path, AWSX.replace("{strategy}", strategy)), "dev", new_stack=True)
    assert capture.outputs["dns"].endswith(".elb.amazonaws.com")
    assert len(capture.outputs["nats"]) == nats and all(n.startswith("nat-") for n in capture.outputs["nats"])
    assert len(capture.outputs["private"]) == 2
    rule = by_name(capture, "rule")
    assert rule.inputs["actions"][0]["targetGroupArn"].startswith("arn:aws:elasticloadbalancing:")
    # Opaque under mocks: the component's children are not in the graph, and an input that
    # came from one of them depends on the component.
    assert not [r for r in capture.resources if "awsx:lb:ApplicationLoadBalancer$" in r.urn]
    assert by_name(capture, "lb").urn in rule.property_dependencies["actions"]


def test_every_awsx_output_the_sdk_declares_is_answered(tmp_path):
    from pulumi import _types

    from iot_tiers.offline import schema

    capture = run_stack(program(tmp_path, AWSX.replace("{strategy}", "Single")), "dev", new_stack=True)
    for r in capture.resources:
        if not r.type.startswith("awsx:"):
            continue
        declared = set(_types.resource_types(schema.resource_class(r.type)))
        assert declared and declared <= set(r.outputs), (r.type, declared - set(r.outputs))


# ---------------------------------------------------------------- programs as processes

def test_a_programs_own_modules_are_forgotten_after_its_run(tmp_path):
    a = program(tmp_path / "a", "import pulumi_aws as aws\nfrom infra.names import NAME\naws.sqs.Queue(NAME)\n",
                name="a", files={"infra/__init__.py": "", "infra/names.py": "NAME = 'from-a'\n"})
    b = program(tmp_path / "b", "import pulumi_aws as aws\nfrom infra.names import NAME\naws.sqs.Queue(NAME)\n",
                name="b", files={"infra/__init__.py": "", "infra/names.py": "NAME = 'from-b'\n"})
    assert [r.name for r in run_stack(a, "dev", new_stack=True).resources] == ["from-a"]
    assert [r.name for r in run_stack(b, "dev", new_stack=True).resources] == ["from-b"]


def test_a_crash_in_a_helper_module_names_the_programs_file_not_the_harness(tmp_path):
    prog = program(tmp_path, "from infra.build import build\nbuild()\n",
                   files={"infra/__init__.py": "", "infra/build.py": "def build():\n    return {}['subnets']\n"})
    with pytest.raises(ProgramError) as err:
        run_stack(prog, "dev", new_stack=True)
    assert "infra/build.py" in str(err.value) and "KeyError: 'subnets'" in str(err.value)
    assert "iot_tiers/offline" not in str(err.value)

