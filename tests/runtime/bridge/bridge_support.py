"""Real processes for the bridge tests: a Mosquitto broker and the bridge itself.

Both run as subprocesses on free loopback ports, with generated configuration in a tmp
dir. Waiting is always on a condition with a deadline, never a bare sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

import gmqtt
import jwt

from iot_tiers.local.processes import free_port, port_open  # noqa: F401 (re-exported to the tests)
from support import REPO_ROOT

REPO = REPO_ROOT
MOSQUITTO = "/usr/sbin/mosquitto"
SECRET = "test-secret-that-is-long-enough-for-hs256!"


def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> object:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


async def async_wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


def make_token(topics: list[str], exp_in: float = 300, secret: str = SECRET, **claims) -> str:
    payload = {"topics": topics, "exp": int(time.time() + exp_in), "sub": "test", **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


class Mosquitto:
    """One Mosquitto broker process with a generated config.

    Args:
        workdir: directory for the config, log and persistence files.
        listeners: extra config lines per listener port, e.g. ``{port: ["cafile ..."]}``.
        persistence: keep sessions and queued messages across restarts (in ``workdir``).
    """

    def __init__(self, workdir: Path, listeners: dict[int, list[str]] | None = None, persistence: bool = False):
        self.workdir = workdir
        self.port = free_port()
        self.listeners = listeners if listeners is not None else {self.port: []}
        self.persistence = persistence
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def _write_config(self, ports: list[int]) -> Path:
        lines = [
            "per_listener_settings false",
            "allow_anonymous true",
            "log_type error",
            "log_type warning",
            f"log_dest file {self.workdir / 'mosquitto.log'}",
        ]
        if os.geteuid() == 0:
            lines.append("user root")  # else Mosquitto drops to 'mosquitto', which can't write workdir
        if self.persistence:
            lines += [
                "persistence true",
                f"persistence_location {self.workdir}/",
                "autosave_interval 0",
                "max_queued_messages 10000",
            ]
        for port in ports:
            lines.append(f"listener {port} 127.0.0.1")
            lines += self.listeners.get(port, [])
        path = self.workdir / f"mosquitto-{self.starts}.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self, ports: list[int] | None = None) -> "Mosquitto":
        ports = list(self.listeners) if ports is None else ports
        conf = self._write_config(ports)
        self.starts += 1
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports:
            wait_for(lambda port=port: port_open(port) or self.proc.poll() is not None, 10, f"mosquitto on {port}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"mosquitto exited: {self.proc.stderr.read().decode()}")
        return self

    def stop(self) -> None:
        """SIGTERM (Mosquitto saves its persistence file on the way out) and wait."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


class BridgeProcess:
    """``python -m iot_tiers_runtime.bridge`` as a subprocess, configured by environment variables.

    Args:
        workdir: where its stdout/stderr files go (opened here, so the bridge needs no write access).
        env: variables on top of the test defaults.
        wrap: a command the bridge's command line is appended to (e.g. :func:`read_only_root_as`).
        cwd: its working directory (default: the repository).
    """

    def __init__(self, workdir: Path, env: dict[str, str], wrap: list[str] | None = None,
                 cwd: Path | None = None):
        self.port = free_port()
        self.workdir = workdir
        self.stdout_path = workdir / f"bridge-{self.port}.out"
        self.stderr_path = workdir / f"bridge-{self.port}.err"
        full_env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
            "PORT": str(self.port),
            "BRIDGE_HOST": "127.0.0.1",
            "BRIDGE_JWT_SECRET": SECRET,
            "BRIDGE_JWT_LEEWAY_S": "0",
            "BRIDGE_CLIENT_ID": f"bridge-test-{self.port}",
            "MQTT_RECONNECT_MIN_S": "0.1",
            "MQTT_RECONNECT_MAX_S": "0.5",
            "BRIDGE_CLOSE_TIMEOUT_S": "2",
            "BRIDGE_DRAIN_S": "0.5",
            **env,
        }
        self.env = full_env
        self.proc = subprocess.Popen(
            [*(wrap or []), sys.executable, "-m", "iot_tiers_runtime.bridge"],
            cwd=cwd or REPO,
            env=full_env,
            stdout=open(self.stdout_path, "wb"),
            stderr=open(self.stderr_path, "wb"),
        )

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def logs(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stdout_lines(self) -> list[str]:
        return self.stdout_path.read_text().splitlines()

    def health_response(self) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def health(self) -> dict:
        return self.health_response()[1]

    def wait_ready(self, broker: bool = True, timeout: float = 15) -> "BridgeProcess":
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"bridge exited with {self.proc.returncode}:\n{self.logs()}")
            if not port_open(self.port):
                return False
            return self.health()["broker_connected"] or not broker

        wait_for(ready, timeout, "bridge ready")
        return self

    def terminate(self, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                raise AssertionError(f"bridge did not exit within {timeout}s after SIGTERM") from None
        return self.proc.returncode


#: The uid:gid the bridge image runs as (runtime/bridge/Dockerfile, components/realtime.py BRIDGE_USER).
IMAGE_UID = 10001


def read_only_root_as(uid: int = IMAGE_UID) -> list[str]:
    """A command prefix: a private mount namespace whose root file system is read-only, then ``uid``.

    What Fargate gives the bridge (``readonlyRootFilesystem``, ``user``), without a container
    engine: ``unshare`` and ``mount`` need root, which the tests have; ``setpriv`` drops every
    group and capability before the bridge starts. The namespace ends with the process, so
    nothing outside it changes.
    """
    return ["unshare", "--mount", "--propagation", "private", "--",
            "sh", "-c", 'mount -o remount,bind,ro / && exec setpriv --reuid="$0" --regid="$0" '
            '--clear-groups --inh-caps=-all -- "$@"', str(uid)]


def process_uid(pid: int) -> int:
    """The real uid of a running process (``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for pid {pid}")


def files_open_for_writing(pid: int) -> dict[int, str]:
    """fd -> path of every file (not socket, pipe or anonymous inode) ``pid`` holds open for writing."""
    found = {}
    for fd_link in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd_link)
        if not target.startswith("/"):
            continue  # socket:[...], pipe:[...], anon_inode:[...]
        flags = int(Path(f"/proc/{pid}/fdinfo/{fd_link.name}").read_text().split("flags:")[1].split()[0], 8)
        if flags & (os.O_WRONLY | os.O_RDWR):
            found[int(fd_link.name)] = target
    return found


def memory_files(pid: int) -> list[str]:
    """The anonymous memory files (memfd) ``pid`` still holds open."""
    return [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("/memfd:")]


class Publisher:
    """A plain MQTT client (gmqtt) standing in for a device."""

    def __init__(self, port: int, ssl=False):
        self.port = port
        self.ssl = ssl
        self.client = gmqtt.Client(f"device-{os.getpid()}-{time.monotonic_ns()}")

    async def __aenter__(self) -> "Publisher":
        await self.client.connect("127.0.0.1", self.port, ssl=self.ssl, keepalive=10)
        return self

    async def __aexit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.client.disconnect(), 2)

    def publish(self, topic: str, payload, qos: int = 1) -> None:
        self.client.publish(topic, payload, qos=qos)


def run(coro, timeout: float = 40):
    """Run an async test scenario with an overall deadline."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def make_tls_material(workdir: Path) -> dict[str, Path]:
    """A CA, a server certificate for localhost/127.0.0.1 and a client certificate, as PEM files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write_key(key, path: Path) -> None:
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(name("test-ca"))
        .issuer_name(name("test-ca"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(cn: str, usage, san=None):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return key, builder.sign(ca_key, hashes.SHA256())

    server_key, server_cert = leaf(
        "localhost",
        ExtendedKeyUsageOID.SERVER_AUTH,
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    client_key, client_cert = leaf("iot-bridge", ExtendedKeyUsageOID.CLIENT_AUTH)
    files = {
        "ca": workdir / "ca.pem",
        "server_cert": workdir / "server.pem",
        "server_key": workdir / "server.key",
        "client_cert": workdir / "client.pem",
        "client_key": workdir / "client.key",
    }
    files["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files["server_cert"].write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    files["client_cert"].write_bytes(client_cert.public_bytes(serialization.Encoding.PEM))
    write_key(server_key, files["server_key"])
    write_key(client_key, files["client_key"])
    return files
