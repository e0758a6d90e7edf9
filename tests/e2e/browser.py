"""Headless Chromium (Debian's package) driven by Playwright, against `energy-edge up` as a real process.

Playwright's own browser download is never used: `launch_chromium` starts the
system Chromium (/usr/bin/chromium), so the test runs offline. `operator_site`
starts the embedded site on a free loopback port with a known operator password.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from ..helpers import free_port
from .site_process import poll_until, start_site

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OPERATOR_PASSWORD = "page-test-operator"
ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts"


BROWSERS = ("chromium", "chromium-browser", "google-chrome")  # Debian's package; Ubuntu CI agents ship Chrome


def chromium_path() -> str:
    """EE_CHROMIUM, else the first Chromium-family browser on PATH (or in /usr/bin)."""
    for path in (os.environ.get("EE_CHROMIUM"), *(shutil.which(name) or shutil.which(name, path="/usr/bin")
                                                  for name in BROWSERS)):
        if path:
            return path
    message = "chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "; CI must install it (.ci/run)")
    pytest.skip(message)


def launch_chromium(playwright, executable: str):
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def operator_site(state_dir: Path, *args: str) -> Iterator[int]:
    """`energy-edge up` on a free port, healthy, with EE_MQTT_PASSWORD_OPERATOR set; yields the port."""
    port = free_port()
    site = start_site("--metrics-port", str(port), *args,
                      env={"EE_STATE_DIR": str(state_dir), "EE_MQTT_PASSWORD_OPERATOR": OPERATOR_PASSWORD})
    try:
        status, body = poll_until(port, "/healthz", 200, deadline_s=20)
        assert status == 200, f"site never healthy: {status} {body}"
        yield port
    finally:
        site.terminate()
        try:
            site.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            site.kill()
            site.communicate()
