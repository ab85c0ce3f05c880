"""A moto server in its own process on a free loopback port, for the benchmarks.

``python -m moto.server`` is started as a child process, so the code under measure
talks HTTP to a separate process exactly as a Lambda function talks to AWS.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def moto_server(attempts: int = 3, start_timeout_s: float = 30) -> Iterator[str]:
    """Run a moto server; yields its URL (``http://127.0.0.1:<port>``) and stops it after.

    A port is chosen free and then handed to moto, so another process could take it in
    between: a server that exits before answering is retried on a new port.
    """
    for _ in range(attempts):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if _ready(url, proc, start_timeout_s):
                yield url
                return
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
    raise RuntimeError(f"moto server did not start on a free loopback port ({attempts} attempts)")


def _ready(url: str, proc: subprocess.Popen, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.1)
    return False
