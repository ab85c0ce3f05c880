"""``-c/--config KEY=VALUE``: stack config for one run, as ``pulumi preview --config`` and ``pulumi up --config`` take it.

Shared by ``tiers preview`` and ``tiers cost``. ``KEY`` is a config key (``iot-tiers:realtimeCertificateArn``;
without a namespace, the project's, as Pulumi reads it) and ``VALUE`` its value as ``pulumi config set``
would store it (a string; JSON for a list). The values go over the stack file's for this run only:
unlike the Pulumi CLI, which also saves them to ``Pulumi.<stack>.yaml``, an offline preflight never
writes the stack file.
"""

from __future__ import annotations

import argparse
from typing import Any, Optional, Sequence


def config_pair(text: str) -> tuple[str, str]:
    """``"KEY=VALUE"`` -> ``(KEY, VALUE)``; the value may contain ``=``; argparse reports a bad one."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key or key.endswith(":") or key.startswith(":"):
        raise argparse.ArgumentTypeError(
            f"expected KEY=VALUE (for example iot-tiers:realtimeCertificateArn=arn:aws:acm:...), got {text!r}")
    return key, value


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c", "--config", dest="config", metavar="KEY=VALUE", type=config_pair, action="append", default=[],
        help="stack config for this run, over Pulumi.<stack>.yaml (repeatable), as `pulumi preview --config`; "
             "a KEY without a namespace is the project's; not saved to the stack file (tiers cost: also over the "
             "stack or revision --compare-to runs)")


def extra_config(args: argparse.Namespace) -> Optional[dict[str, Any]]:
    """The ``--config`` pairs as ``run_stack(extra_config=...)`` takes them (a later pair for a key wins)."""
    pairs: Sequence[tuple[str, str]] = getattr(args, "config", None) or []
    return dict(pairs) or None
