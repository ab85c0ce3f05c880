"""Fixtures of the ``tiers local`` tests: a running ``tiers local`` subprocess, read line by line."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, Optional

import pytest
from support import REPO_ROOT

REPO = REPO_ROOT
TIERS = [sys.executable, "-m", "iot_tiers.cli"]
ARTIFACTS = REPO / "test-artifacts"


class LocalRun:
    """``tiers local`` running as a subprocess in the repo, its stdout collected by a thread.

    Args:
        args: extra arguments after ``tiers local``.
    """

    def __init__(self, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.popen = subprocess.Popen(
            [*TIERS, "local", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env, start_new_session=True)
        self.lines: list[str] = []
        self._new: "queue.Queue[Optional[str]]" = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stderr = ""

    def _read(self) -> None:
        assert self.popen.stdout
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))
            self._new.put(line.rstrip("\n"))
        self._new.put(None)

    def wait_for(self, pattern: str, timeout: float = 40) -> re.Match:
        """The first line (seen so far or to come) matching ``pattern``."""
        rx = re.compile(pattern)
        for line in list(self.lines):
            m = rx.search(line)
            if m:
                return m
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._new.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            m = rx.search(line)
            if m:
                return m
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s; output so far:\n"
                             + "\n".join(self.lines) + "\nstderr:\n" + self.read_stderr())

    def read_stderr(self) -> str:
        if self.popen.poll() is not None and self.popen.stderr and not self.stderr:
            self.stderr = self.popen.stderr.read()
        return self.stderr

    def finish(self, timeout: float = 60) -> int:
        code = self.popen.wait(timeout)
        self._reader.join(5)
        self.read_stderr()
        return code

    def interrupt(self) -> None:
        """Ctrl-C, as a terminal would send it to the foreground process."""
        self.popen.send_signal(signal.SIGINT)

    def summary(self) -> dict:
        """The ``--json-summary`` object (the last line)."""
        return json.loads(self.lines[-1])

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)


@pytest.fixture
def local_run() -> Iterator[type[LocalRun]]:
    """A factory of :class:`LocalRun`; every run is stopped (Ctrl-C, then kill) at teardown."""
    runs: list[LocalRun] = []

    def make(*args: str) -> LocalRun:
        run = LocalRun(*args)
        runs.append(run)
        return run

    yield make  # type: ignore[misc]
    for run in runs:
        run.kill()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
