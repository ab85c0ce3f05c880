"""A Pulumi plugin process started as the CLI starts one: read the port it prints, open a channel.

Policy packs (:mod:`.analyzer`) and component providers (:mod:`.plugin`) are both plugins:
a process that prints the port of its gRPC server on its first line of stdout and serves
until it is stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import grpc

#: The largest gRPC message either side sends (pulumi_policy's own limit).
MAX_MESSAGE = 400 * 1024 * 1024


class PluginError(Exception):
    """A plugin failed to start, or a call to it failed (the message carries its stderr)."""


class PluginProcess:
    """A plugin process and a gRPC channel to it. Use as a context manager."""

    def __init__(self, command: Sequence[str], *, name: str, cwd: Optional[Path] = None,
                 env: Optional[Mapping[str, str]] = None, start_timeout: float = 60.0,
                 stop_signal: int = signal.SIGTERM) -> None:
        self.command, self.name, self.cwd = list(command), name, cwd
        self.env = dict(os.environ if env is None else env)
        self.start_timeout = start_timeout
        self.stop_signal = stop_signal
        self.port: Optional[int] = None
        self.process: Optional[subprocess.Popen] = None
        self.channel: Optional[grpc.Channel] = None
        self._stderr: Any = None

    def start(self) -> "PluginProcess":
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=self._stderr)
        port = self.port = self._read_port()
        # Keep draining stdout so a plugin that prints cannot block on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.max_send_message_length", MAX_MESSAGE)])
        try:
            grpc.channel_ready_future(self.channel).result(timeout=self.start_timeout)
        except grpc.FutureTimeoutError:
            self.close()
            raise PluginError(f"{self.name} printed port {port} but does not answer") from None
        return self

    def _read_port(self) -> int:
        assert self.process is not None and self.process.stdout is not None
        line: dict[str, bytes] = {}
        reader = threading.Thread(target=lambda: line.setdefault("text", self.process.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        text = line.get("text", b"")
        try:
            return int(text.strip())
        except ValueError:
            pass
        if reader.is_alive():
            self.close()
            raise PluginError(f"{self.name} printed no port within {self.start_timeout:.0f} s")
        self.process.wait(timeout=10)
        code, err = self.process.returncode, self.stderr_text()
        self.close()
        raise PluginError(f"{self.name} failed to start (exit {code}):\n"
                          f"{err or text.decode(errors='replace')}".rstrip())

    def _drain(self) -> None:
        stream = self.process.stdout if self.process else None
        try:
            for _ in iter(lambda: stream.read(65536), b""):  # type: ignore[union-attr]
                pass
        except (OSError, ValueError, AttributeError):
            pass

    def stderr_text(self) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read().decode(errors="replace").strip()
        except (AttributeError, OSError, ValueError):
            return ""

    def call(self, stub: Any, method: str, request: Any, timeout: float = 120.0) -> Any:
        try:
            return getattr(stub, method)(request, timeout=timeout)
        except grpc.RpcError as exc:
            detail = exc.details() if hasattr(exc, "details") else str(exc)
            raise PluginError(f"{self.name} {method} failed: {detail}\n{self.stderr_text()}".rstrip()) from None

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            try:
                proc.send_signal(self.stop_signal)
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> "PluginProcess":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()


