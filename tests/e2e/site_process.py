"""Start `energy-edge up` as a real OS process for end-to-end tests, and read its HTTP endpoints."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def start_site(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """The site keeps its state (the operator's generated password) in a temporary EE_STATE_DIR unless given."""
    energy_edge = Path(sys.executable).with_name("energy-edge")
    state = tempfile.mkdtemp(prefix="ee-state-")
    atexit.register(shutil.rmtree, state, True)
    return subprocess.Popen(
        [str(energy_edge), "up", "--quiet", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "EE_LOG_FORMAT": "json", "EE_STATE_DIR": state, **(env or {})},
    )


def http_get(port: int, path: str, timeout_s: float = 2.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout_s) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def poll_until(port: int, path: str, wanted_status: int, deadline_s: float) -> tuple[int, str]:
    """GET until the wanted status arrives or the deadline passes; returns the last answer."""
    end = time.monotonic() + deadline_s
    last: tuple[int, str] = (0, "")
    while time.monotonic() < end:
        try:
            last = http_get(port, path)
            if last[0] == wanted_status:
                return last
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.02)
    return last


def healthz_body(text: str) -> dict:
    return json.loads(text) if text else {}
