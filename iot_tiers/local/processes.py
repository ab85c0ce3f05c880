"""Child processes of the local stack: start, watch, stop, and leave nothing behind.

Every server ``tiers local`` starts (mosquitto, moto, the bridge, the handler's
poller) is a :class:`Child`: a ``subprocess.Popen`` in its own session, its output
in a log file under the run's :class:`Workdir`. Its own session means a Ctrl-C in
the terminal reaches only ``tiers local``, which then stops the children in the
order it chooses (simulator first, then drain, then the servers) instead of every
process dying at once mid-message. Stopping is SIGTERM, a bounded wait, then
SIGKILL to the whole process group, so no grandchild survives either.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

LOOPBACK = "127.0.0.1"


class StartError(RuntimeError):
    """A child did not come up; the message names it and quotes the end of its log."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port free on ``host`` right now (the OS picks it by binding port 0).

    Another process could take it before the caller binds it; callers that start a
    server on it retry with a fresh port when the server fails to bind.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = LOOPBACK, timeout: float = 0.2) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_ok(url: str, timeout: float = 0.5) -> bool:
    """True when ``url`` answers with a 2xx status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class Workdir:
    """The run's temporary directory: configs and logs of every child.

    Args:
        prefix: directory name prefix (default ``tiers-local-``), under the system's
            temporary directory (``$TMPDIR``, else ``/tmp``).
    """

    prefix: str = "tiers-local-"
    path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=self.prefix))

    def file(self, name: str) -> Path:
        return self.path / name

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


@dataclass
class Child:
    """One started child process.

    Attributes:
        name: short label used in messages (``mosquitto``, ``moto``, ``bridge``, ``handler``).
        popen: the process.
        log: the file its stdout and stderr go to.
    """

    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        """The last ``lines`` lines of the child's log (empty if there is none)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    def stop(self, timeout: float = 5.0) -> Optional[int]:
        """SIGTERM, wait up to ``timeout`` seconds (default 5), then SIGKILL the whole group.

        Returns the exit status. The group kill also reaps anything the child spawned.
        """
        if self.alive():
            _signal_group(self.popen, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(self.popen, signal.SIGKILL)  # stragglers in the group, if any
        try:
            return self.popen.wait(2.0)
        except subprocess.TimeoutExpired:  # pragma: no cover (SIGKILL cannot be ignored)
            return None


def _signal_group(popen: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(popen.pid, sig)  # the child leads its own session, so its pgid is its pid
    except (ProcessLookupError, PermissionError):
        pass


def start(name: str, argv: Sequence[str], workdir: Workdir, *,
          env: Optional[Mapping[str, str]] = None,
          ready: Optional[Callable[[], bool]] = None,
          timeout: float = 20.0,
          cwd: Optional[Path] = None) -> Child:
    """Start ``argv`` as child ``name`` and wait until ``ready()`` is true.

    Args:
        name: label for messages and the log file ``<workdir>/<name>.log``.
        argv: the command line.
        workdir: where the log goes.
        env: the full environment of the child (default: this process's).
        ready: polled every 50 ms until it returns true (default: no wait).
        timeout: seconds to wait for ``ready`` (default 20) before the child is
            stopped and :class:`StartError` raised with the end of its log.
        cwd: working directory of the child (default: this process's).

    Raises :class:`StartError` also when the child exits before it is ready.
    """
    log = workdir.file(f"{name}.log")
    with open(log, "ab") as out:
        popen = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, env=dict(env) if env is not None else None,
                                 cwd=cwd, start_new_session=True)
    child = Child(name, popen, log)
    if ready is None:
        return child
    deadline = time.monotonic() + timeout
    while True:
        if not child.alive():
            raise StartError(f"{name} exited with status {popen.returncode} while starting "
                             f"({' '.join(argv)}):\n{child.log_tail()}")
        if ready():
            return child
        if time.monotonic() > deadline:
            child.stop()
            raise StartError(f"{name} was not ready after {timeout:g} s ({' '.join(argv)}):\n"
                             f"{child.log_tail()}")
        time.sleep(0.05)


def pid_exists(pid: int) -> bool:
    """True while a process with ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited; only its parent's wait() is missing
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


__all__ = ["Child", "LOOPBACK", "StartError", "Workdir", "free_port", "http_ok", "pid_exists",
           "port_open", "start"]
