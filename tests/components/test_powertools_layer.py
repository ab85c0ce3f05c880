"""The Powertools layer the functions attach holds the release the handler's tests run.

The handler imports Powertools from the layer in Lambda and from the dev install in the
tests; a layer older or newer than that install means the tests prove other code than
the function runs. A layer's version number is only a publication count, so the release
each one holds comes from what the Powertools maintainers published with it.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

from iot_tiers.components.processing import POWERTOOLS_LAYER, POWERTOOLS_LAYER_VERSION

from support import REPO_ROOT

#: Powertools release -> version of AWSLambdaPowertoolsPythonV3-<python>-<arch> (one number for
#: every Python and both architectures; a layer version is only a publication count, one per
#: release), from aws-powertools/powertools-lambda-python:
#: - 3.4.1: the maintainers' PR #5869, "v3.4.1 was released now and it creates the layer version 6";
#: - 3.20.0: the release bot's layer-docs PR #7354 (2025-09-09, half an hour after 3.20.0 reached
#:   PyPI) moves the documented python312 layer from 22 to 23;
#: - 3.22.1: issue #7650 (2025-11-09) quotes AWS's SSM parameter
#:   /aws/service/powertools/python/arm64/python3.13/latest = ...-arm64:26, acknowledged by the
#:   maintainers; 3.22.1 (on PyPI 2025-11-05, layer-docs PR #7636 the same morning) was then the
#:   newest release, and 23 + one per release (3.21.0, 3.22.0, 3.22.1) is 26 too.
#: AWS publishes the mapping as /aws/service/powertools/python/<arch>/<python>/<release> in SSM:
#: to move to a newer release, read it there (`aws ssm get-parameter --name ...`) and add a row.
LAYER_OF_RELEASE = {
    "3.4.1": 6,
    "3.20.0": 23,
    "3.22.1": 26,
}


def dev_pin() -> str:
    deps = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    (pin,) = [d for d in deps if d.startswith("aws-lambda-powertools")]
    m = re.fullmatch(r"aws-lambda-powertools==([\d.]+)", pin)
    assert m, f"the dev extra must pin Powertools exactly (==), not {pin!r}"
    return m.group(1)


def test_the_layer_holds_the_powertools_release_the_tests_run():
    installed = version("aws-lambda-powertools")
    assert installed in LAYER_OF_RELEASE, (
        f"Powertools {installed} is installed, but no row says which layer version holds it: add it "
        "to LAYER_OF_RELEASE with its source")
    assert POWERTOOLS_LAYER_VERSION == LAYER_OF_RELEASE[installed], (
        f"the functions attach layer {POWERTOOLS_LAYER_VERSION}, which does not hold Powertools {installed}, "
        f"the release the tests run (layer {LAYER_OF_RELEASE[installed]} does)")


def test_the_dev_extra_pins_exactly_the_release_the_tests_run():
    assert dev_pin() == version("aws-lambda-powertools")


def test_the_layer_is_the_build_for_the_functions_runtime_and_architecture():
    from iot_tiers.components.processing import LAMBDA_RUNTIME

    # Layer names per Powertools' docs: AWSLambdaPowertoolsPythonV3-{python_version}-{arch}, python312.
    runtime = LAMBDA_RUNTIME.replace(".", "")
    assert f":layer:AWSLambdaPowertoolsPythonV3-{runtime}-arm64:" in POWERTOOLS_LAYER
