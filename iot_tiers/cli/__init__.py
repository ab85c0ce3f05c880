"""The ``tiers`` command line: a thin layer over the packages.

Each subcommand lives in :mod:`iot_tiers.cli` as a module with
``register(subparsers)``, which adds its parser and sets ``func`` to a callable
taking the parsed arguments and returning the exit code. Exit codes are shared:
0 success, 1 a verdict against the input (a mandatory policy violated, a budget
exceeded), 2 a usage, program or config error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

#: Subcommand modules, in the order ``tiers --help`` lists them.
COMMANDS = ("preview", "cost", "advise", "local")

EXIT_OK, EXIT_VIOLATION, EXIT_ERROR = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="tiers",
        description="iot-tiers: preview, cost, advise and run an IoT backend on AWS offline.",
    )
    parser.add_argument("--version", action="version", version=f"iot-tiers {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"iot_tiers.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"iot_tiers.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130

