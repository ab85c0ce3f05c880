"""The dashboard in a real headless Chromium, driven over the Chrome DevTools Protocol."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from websockets.sync.client import connect

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"


class Chromium:
    """Headless Chromium with remote debugging on a port it picks itself (``--remote-debugging-port=0``)."""

    def __init__(self, profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self.popen = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1280,860",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=(profile / "chromium.log").open("wb"), start_new_session=True)
        port_file = profile / "DevToolsActivePort"
        # A cold start on a loaded 2-core machine can take well over the usual second.
        deadline = time.monotonic() + 90
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.popen.poll() is not None:
                log = (profile / "chromium.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"chromium did not start its DevTools endpoint "
                                     f"(exit {self.popen.poll()}); its stderr ends:\n{log}")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        deadline = time.monotonic() + 10
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            if pages or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(pages[0]["webSocketDebuggerUrl"], max_size=None,
                                                    open_timeout=10))
        self._ids = itertools.count(1)

    def send(self, method: str, **params: Any) -> dict:
        """One CDP command; returns its result (events arriving meanwhile are skipped)."""
        msg_id = next(self._ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv(timeout=30))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"page error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self._stack.close()
        finally:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)


@pytest.fixture
def chromium(tmp_path) -> Iterator[Chromium]:
    assert os.access(CHROMIUM, os.X_OK), "Debian's chromium is needed: apt-get install chromium"
    browser = Chromium(tmp_path / "profile")
    yield browser
    browser.close()


#: What the test reads back from the rendered page.
READ_PAGE = """(() => {
  if (!document.getElementById('conn')) return null;  // still loading
  const devices = [...document.querySelectorAll('.device')].map((el) => {
    const c = el.querySelector('canvas');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
    return {id: el.dataset.device, count: Number(el.dataset.count), last: el.querySelector('.last').textContent,
            inkedPixels: inked};
  });
  const alerts = [...document.querySelectorAll('#alerts li')].map((li) => li.textContent);
  return {conn: document.getElementById('conn').dataset.state, devices, alerts,
          readings: Number(document.getElementById('total-readings').textContent)};
})()"""


def test_dashboard_renders_live_readings_per_device_and_the_alert_list(local_run, chromium, artifacts):
    run = local_run("--duration", "45", "--devices", "3", "--rate", "3", "--hot-share", "0.3",
                    "--bad-share", "0.1", "--seed", "11")
    url = run.wait_for(r"^dashboard: (\S+) token: \S+$").group(1)
    chromium.send("Page.enable")
    chromium.send("Page.navigate", url=url)

    page: dict = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page = chromium.evaluate(READ_PAGE) or {}
        devices = page.get("devices", [])
        if (len(devices) == 3 and all(d["count"] >= 4 for d in devices) and page.get("alerts")):
            break
        time.sleep(0.5)
    time.sleep(0.5)  # let the 200 ms render throttle paint the last frame for the screenshot
    shot = chromium.send("Page.captureScreenshot", format="png")
    path = artifacts / "local-dashboard.png"
    path.write_bytes(base64.b64decode(shot["data"]))

    assert page["conn"] == "live", page
    assert sorted(d["id"] for d in page["devices"]) == ["sim-001", "sim-002", "sim-003"]
    for device in page["devices"]:
        assert re.fullmatch(r"-?\d+\.\d °C", device["last"]), device
        assert device["inkedPixels"] > 200, f"{device['id']}: nothing drawn on its chart"
    assert page["readings"] >= 12
    assert page["alerts"], "no alert reached the page"
    hot = re.search(r"(sim-\d{3})(\d+\.\d) °C", page["alerts"][0])
    assert hot and float(hot.group(2)) > 80, page["alerts"][0]
    assert path.stat().st_size > 10_000

    run.interrupt()
    assert run.finish(timeout=40) == 0, run.stderr
