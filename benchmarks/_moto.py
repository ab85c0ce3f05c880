"""A moto server in its own process on a free loopback port, for the benchmarks.

``python -m moto.server`` is started as a child process, so the code under measure
talks HTTP to a separate process exactly as a Lambda function talks to AWS. The
launcher is the one ``tiers local`` uses.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from iot_tiers.local.aws import moto_server as _moto_server


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run a moto server; yields its URL (``http://127.0.0.1:<port>``) and stops it after."""
    with _moto_server() as moto:
        yield moto.endpoint
