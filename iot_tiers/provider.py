"""The tiers as a Pulumi component package, for programs in any language.

``provider/`` at the top of the repository is the plugin folder (``PulumiPlugin.yaml``,
``__main__.py``), so a TypeScript, Go, C# or YAML team runs::

    pulumi package add <this repository>/provider      # or a local path to that folder

and gets an SDK with ``ProcessingTier``, ``RealtimeTier``, ``HeavyComputeTier`` and
``Network``. The schema is inferred by Pulumi's own analyzer
(``pulumi.provider.experimental``) from the tiers' type hints: the ``*Inputs`` TypedDicts
(with the docstrings generated from the settings table) and the outputs each tier
declares as annotated attributes. The provider constructs the very classes Python
programs use, under the same type tokens (``iot-tiers:index:<Class>``).

What does not cross languages has a form that does:

- ``transform`` (Python callables) -> Pulumi's own ``transforms`` resource option, which
  the engine applies to the children of a remote component too;
- ``grant_read_table`` / ``grant_subscribe_alerts`` -> the ``table_readers`` /
  ``alert_queues`` inputs, and the ARNs among the outputs for any other grant.
"""

import json
import sys
from typing import Any, Optional, Sequence

from pulumi.provider import main as serve
from pulumi.provider.experimental.component import ComponentProvider

from . import __version__
from .components.heavy import HeavyComputeTier, HeavyComputeTierInputs
from .components.network import Network, NetworkInputs
from .components.processing import ProcessingTier, ProcessingTierInputs
from .components.realtime import RealtimeTier, RealtimeTierInputs

#: The package name: the first part of every type token, and what ``pulumi package add`` names the SDK.
PACKAGE = "iot-tiers"

#: Each hosted class with the argument type its schema is inferred from: the inputs every
#: language can pass (the Python ``*Args`` add only ``transform``).
HOSTED: list[tuple[type, type]] = [
    (ProcessingTier, ProcessingTierInputs),
    (RealtimeTier, RealtimeTierInputs),
    (HeavyComputeTier, HeavyComputeTierInputs),
    (Network, NetworkInputs),
]


def hosted_components() -> list[type]:
    """The tiers, described to the analyzer by their cross-language inputs.

    The analyzer reads the ``args`` annotation of each constructor; the Python signature
    names the ``*Args`` TypedDict, whose ``transform`` (callables) no schema can carry, so
    the hosted process describes each constructor by its ``*Inputs`` instead. Nothing else
    changes: the provider builds the same classes a Python program does.
    """
    for cls, inputs in HOSTED:
        assert cls.type_token == f"{PACKAGE}:index:{cls.__name__}", cls.type_token
        cls.__init__.__annotations__["args"] = inputs
    return [cls for cls, _ in HOSTED]


def _tidy(text: Optional[str]) -> Optional[str]:
    """Docstrings keep their source indentation, which markdown reads as code blocks."""
    if not text:
        return text
    return " ".join(line.strip() for line in text.splitlines()).strip()


def _tidy_schema(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (_tidy(v) if k == "description" and isinstance(v, str) else _tidy_schema(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_tidy_schema(v) for v in node]
    return node


class TiersProvider(ComponentProvider):
    """Pulumi's component provider over the tiers, with descriptions fit for every SDK's docs."""

    def __init__(self, version: str = __version__) -> None:
        super().__init__(hosted_components(), PACKAGE, None, version)
        schema = _tidy_schema(json.loads(self.schema or "{}"))
        schema.setdefault("description", "An IoT backend on AWS in three tiers (Fargate, Lambda, EC2), "
                                         "each on the compute service its workload belongs on.")
        schema.setdefault("license", "Apache-2.0")
        self.schema = json.dumps(schema)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Serve the provider: what the plugin folder's ``__main__.py`` runs (argv: the engine address)."""
    serve(TiersProvider(), list(sys.argv[1:] if argv is None else argv))
