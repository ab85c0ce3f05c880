"""What a team relies on when it uses the tiers as a library, whichever tier it picks.

- every table-backed argument takes a Pulumi Output exactly where its type says
  ``pulumi.Input[...]`` (same children, same inputs as the plain value), and is refused with
  a clear message where the tier must branch on it;
- a transform key names a child the tier has, or it is refused with the list of children;
- the outputs a tier declares are attributes and registered outputs, all of them;
- the docs of every table-backed argument are the table's (generated, checked here).
"""

from __future__ import annotations

import base64
import json
import re
import textwrap
from pathlib import Path

import pulumi
import pytest

from iot_tiers import (HeavyComputeTier, HeavyComputeTierArgs, Network, NetworkArgs, ProcessingTier,
                       ProcessingTierArgs, RealtimeTier, RealtimeTierArgs)
from iot_tiers.components.config import table
from iot_tiers.components.config.heavy import role_args
from iot_tiers.components.config.schema import ConfigError
from iot_tiers.offline.harness import ProgramError, run_stack
from iot_tiers.offline.mocks import AwsMocks

from support import REPO_STACK_CONFIG

NET = {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-a", "subnet-b"], "public_subnet_ids": ["subnet-c", "subnet-d"]}

#: tier -> (class name, Args TypedDict, fixed wiring, table-backed argument names)
TIERS = {
    "processing": ("ProcessingTier", ProcessingTierArgs, {}, [s.arg for s in table("processing").settings]),
    "network": ("Network", NetworkArgs, {}, [s.arg for s in table("network").settings]),
    "realtime": ("RealtimeTier", RealtimeTierArgs, {**NET, "environment": "development"},
                 [s.arg for s in table("realtime").settings]),
    "heavy-timeseries": ("HeavyComputeTier", HeavyComputeTierArgs,
                         {"role": "timeseries", "vpc_id": "vpc-0abc", "subnet_ids": ["subnet-a"],
                          "vpc_cidr": "10.0.0.0/16"}, role_args("timeseries")),
    "heavy-batch": ("HeavyComputeTier", HeavyComputeTierArgs,
                    {"role": "batch", "vpc_id": "vpc-0abc", "subnet_ids": ["subnet-a", "subnet-b"],
                     "vpc_cidr": "10.0.0.0/16", "image": "public.ecr.aws/acme/etl:1.0"}, role_args("batch")),
}

#: Each case builds the tier twice over: once plainly ("t000"), once per argument with that
#: argument's own plain value wrapped in an Output ("t001", ...), and records what happened.
PROGRAM = textwrap.dedent('''
    import json, pulumi
    import iot_tiers
    from iot_tiers.components.config.schema import ConfigError

    cls = getattr(iot_tiers, {cls!r})
    wiring = json.loads({wiring!r})
    base = json.loads({base!r})
    refused = {{}}
    cls("t000", {{**wiring, **base}})
    for i, key in enumerate(json.loads({keys!r}), start=1):
        args = {{**wiring, **base, key: pulumi.Output.from_input(json.loads({values!r})[key])}}
        try:
            cls(f"t{{i:03d}}", args)
        except ConfigError as exc:
            refused[key] = str(exc)
    pulumi.export("refused", refused)
''')


def _annotation(cls, name):
    for klass in cls.__mro__:
        if name in klass.__dict__.get("__annotations__", {}):
            return klass.__dict__["__annotations__"][name]
    raise KeyError(name)


def _is_input(args_type, key: str) -> bool:
    return "pulumi.Input[" in str(_annotation(args_type, key))


#: Each tier class by the type token it registers with.
BY_TYPE = {cls.type_token: cls for cls in (ProcessingTier, Network, RealtimeTier, HeavyComputeTier)}


def _resolved_defaults(tier: str) -> dict:
    """The plain value of every table-backed argument, as the tier resolves it."""
    if tier.startswith("heavy-"):
        from iot_tiers.components.config.heavy import resolve_heavy
        role = TIERS[tier][2]["role"]
        extra = {"image": TIERS[tier][2]["image"]} if "image" in TIERS[tier][2] else {}
        return dict(resolve_heavy(role, extra))
    from iot_tiers.components.config import resolve_tier
    return dict(resolve_tier(tier, {}))


def _normalised(capture, prefix: str) -> dict[str, str]:
    """Each child of the tier named ``prefix`` by its short name, inputs with the tier's name
    and the mocks' name hashes masked (they differ between the two builds)."""
    out = {}
    for r in capture.resources:
        if not r.name.startswith(prefix + "-") or not r.custom:
            continue
        inputs = dict(r.inputs)
        if isinstance(inputs.get("userData"), str):  # base64: the tier's name is inside
            inputs["userData"] = base64.b64decode(inputs["userData"]).decode()
        text = json.dumps(inputs, sort_keys=True).replace(prefix, "TIER")
        text = re.sub(r"[0-9a-f]{6,}", "H", text)
        out[r.name[len(prefix) + 1:]] = text
    return out


@pytest.fixture(scope="module", params=sorted(TIERS))
def built(request, tmp_path_factory):
    tier = request.param
    cls, args_type, wiring, keys = TIERS[tier]
    values = _resolved_defaults(tier)
    folder = tmp_path_factory.mktemp(tier)
    (folder / "Pulumi.yaml").write_text("name: outputs-as-arguments\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
    base = {k: v for k, v in wiring.items() if k == "image"}
    (folder / "__main__.py").write_text(PROGRAM.format(
        cls=cls, wiring=json.dumps({k: v for k, v in wiring.items() if k != "image"}), base=json.dumps(base),
        keys=json.dumps(keys), values=json.dumps(values)))
    return tier, args_type, keys, run_stack(folder, "dev")


def test_an_output_argument_builds_what_its_plain_value_builds_or_is_refused_as_structural(built):
    tier, args_type, keys, capture = built
    refused = capture.outputs["refused"]
    baseline = _normalised(capture, "t000")
    assert baseline, "the plain build created children"
    for i, key in enumerate(keys, start=1):
        if _is_input(args_type, key):
            assert key not in refused, f"{tier}.{key} is typed pulumi.Input but refused an Output: {refused.get(key)}"
            assert _normalised(capture, f"t{i:03d}") == baseline, f"{tier}.{key} as an Output changed the children"
        elif key in refused:
            assert "must be known when the program runs" in refused[key] and key in refused[key]
        else:  # a plain-typed key this configuration of the tier does not use: nothing changes
            assert _normalised(capture, f"t{i:03d}") == baseline, f"{tier}.{key} is typed plain, yet an Output was used"


def test_a_bad_value_inside_an_output_is_refused_once_known(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: late\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nfrom iot_tiers import ProcessingTier\n"
        "ProcessingTier('p', {'memory_mb': pulumi.Output.from_input(99999)})\n")
    with pytest.raises(ProgramError) as err:
        run_stack(tmp_path, "dev")
    assert "memory_mb=99999 is not allowed: a whole number of MB from 128 to 10240" in str(err.value)


def test_cross_checks_wait_for_output_values(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: late\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nfrom iot_tiers import ProcessingTier\n"
        "ProcessingTier('p', {'batch_size': pulumi.Output.from_input(50), 'batch_window_s': 0})\n")
    with pytest.raises(ProgramError) as err:
        run_stack(tmp_path, "dev")
    assert "batch_size=50 needs batch_window_s >= 1" in str(err.value)


@pytest.fixture
def preview_mocks():
    pulumi.runtime.set_mocks(AwsMocks(), preview=True)


@pulumi.runtime.test
def test_an_unknown_output_passes_with_a_warning_and_is_not_an_error(monkeypatch, preview_mocks):
    import asyncio

    from iot_tiers.components.config import resolve_tier

    warnings: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: warnings.append(msg))

    def done(value):
        fut = asyncio.get_event_loop().create_future()
        fut.set_result(value)
        return fut

    unknown = pulumi.Output(set(), done(None), done(False))  # what a computed value is at preview
    settings = resolve_tier("processing", {"memory_mb": unknown})

    def check(known):
        assert known is False
        assert any("memory_mb is not known until the deployment" in w for w in warnings), warnings

    return pulumi.Output.from_input(settings["memory_mb"].is_known()).apply(check)


# ---------------------------------------------------------------- transforms


@pytest.mark.parametrize("cls,args", [
    (ProcessingTier, {}), (Network, {}), (RealtimeTier, {**NET, "environment": "development"}),
    (HeavyComputeTier, {"role": "timeseries", "vpc_id": "vpc-1", "subnet_ids": ["subnet-1"]}),
])
def test_a_transform_key_naming_no_child_is_refused_with_the_children(cls, args):
    pulumi.runtime.set_mocks(AwsMocks(), preview=True)
    with pytest.raises(ConfigError) as err:
        cls("x", {**args, "transform": {"no-such-child": lambda a: a}})
    text = str(err.value)
    assert "transform key 'no-such-child' names no child" in text
    assert all(child in text for child in cls.children)


def test_a_misspelt_transform_key_gets_a_suggestion():
    pulumi.runtime.set_mocks(AwsMocks(), preview=True)
    with pytest.raises(ConfigError, match="did you mean 'table'"):
        ProcessingTier("x", {"transform": {"tabel": lambda a: a}})


@pytest.mark.parametrize("program,stack", [(".", "dev"), (".", "prod"), ("examples/team-telemetry", "dev")])
def test_every_child_a_tier_creates_is_a_key_transform_accepts(program, stack, repo_root):
    import fnmatch
    repo_config = REPO_STACK_CONFIG[stack] if program == "." else None
    capture = run_stack(repo_root / program, stack, extra_config=repo_config)
    checked = 0
    for component in capture.resources:
        cls = BY_TYPE.get(component.type)
        if cls is None:
            continue
        for child in capture.children(component.urn):
            short = child.name[len(component.name) + 1:]
            assert any(fnmatch.fnmatchcase(short, p) for p in cls.children), (cls.__name__, short)
            checked += 1
    assert checked > 15


# ---------------------------------------------------------------- outputs


@pytest.mark.parametrize("program,stack", [(".", "dev"), (".", "prod")])
def test_every_declared_output_is_registered_and_nothing_else(program, stack, repo_root):
    repo_config = REPO_STACK_CONFIG[stack] if program == "." else None
    capture = run_stack(repo_root / program, stack, extra_config=repo_config)
    seen = set()
    for component in capture.resources:
        cls = BY_TYPE.get(component.type)
        if cls is None:
            continue
        seen.add(cls)
        declared = set(cls.output_names())
        optional = {n for n in declared if "Optional[" in str(_annotation(cls, n))}
        assert set(component.outputs) <= declared
        assert declared - optional <= set(component.outputs), (cls.__name__, declared - set(component.outputs))
    assert len(seen) >= 3


@pulumi.runtime.test
def test_the_outputs_are_attributes_a_program_can_export():
    pulumi.runtime.set_mocks(AwsMocks(), preview=True)
    tier = ProcessingTier("p")
    return pulumi.Output.all(*(getattr(tier, n) for n in ProcessingTier.output_names())).apply(
        lambda values: _all_present(values))


def _all_present(values):
    assert all(v is not None for v in values)


# ---------------------------------------------------------------- docs


def test_the_docs_of_every_table_backed_argument_are_the_tables():
    from tools.args_docs import main

    assert main(["args_docs", "check"]) == 0, "regenerate with: python -m tools.args_docs update"


def test_every_key_of_an_args_type_is_a_table_setting_or_documented_wiring():
    import inspect

    import sys

    for tier, (cls, args_type, _, keys) in TIERS.items():
        # Python 3.11 keeps no record of a TypedDict's bases: the inputs are its namesake.
        inputs = getattr(sys.modules[args_type.__module__], args_type.__name__.replace("Args", "Inputs"))
        source = inspect.getsource(inputs) + inspect.getsource(args_type)
        hints = set(args_type.__annotations__)
        assert set(keys) <= hints, (tier, set(keys) - hints)
        for key in hints - set(keys):
            assert re.search(rf"\n    {key}: .*\n    \"\"\"\S", source), f"{tier}.{key} lacks its docstring"
