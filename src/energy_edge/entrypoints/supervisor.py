"""Run a set of commands as child processes; restart one that dies; stop them all on request.

What compose (`restart: unless-stopped`) and the IoT Edge agent do for
containers, for `energy-edge up --transport mqtt` on a machine without them.
A process that crashes is restarted after a backoff that doubles (1 s up to
30 s) and resets once it has run for a minute.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

EXIT_USAGE = 2  # the child refused its settings (entrypoints/console.py): a restart would only refuse again
MIN_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
HEALTHY_AFTER_S = 60.0


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff_s: float = MIN_BACKOFF_S
    restart_at: float | None = None
    restarts: int = field(default=0)
    refused: bool = False


class Supervisor:
    def __init__(self) -> None:
        self.children: dict[str, Child] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> Child:
        child = self.children[name] = Child(name, command, env)
        self._spawn(child)
        return child

    def _spawn(self, child: Child) -> None:
        # Own session: a Ctrl-C reaches only the supervisor, which then stops each child cleanly.
        child.process = subprocess.Popen(child.command, env=child.env, start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        log.info("started %s (pid %d): %s", child.name, child.process.pid, " ".join(child.command))

    def poll(self) -> None:
        """Notice exits and restart what is due; call this every fraction of a second."""
        now = time.monotonic()
        for child in self.children.values():
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._spawn(child)
                continue
            code = child.process.poll() if child.process else None
            if code is None or child.refused:
                continue
            if code == EXIT_USAGE:
                log.error("%s refused its settings (exit 2, its message is above): not restarted", child.name)
                child.refused = True
                continue
            if now - child.started_at >= HEALTHY_AFTER_S:
                child.backoff_s = MIN_BACKOFF_S
            log.warning("%s exited with %s; restarting in %.0f s", child.name, code, child.backoff_s)
            child.restart_at = now + child.backoff_s
            child.backoff_s = min(child.backoff_s * 2, MAX_BACKOFF_S)

    def refused(self) -> list[str]:
        """The children that exited refusing their settings."""
        return [child.name for child in self.children.values() if child.refused]

    def stop_all(self, timeout_s: float = 10.0) -> None:
        """SIGTERM to every child (each shuts down cleanly), SIGKILL to any still running after timeout_s."""
        running = [c.process for c in self.children.values() if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("pid %d did not stop in %.0f s: killed", process.pid, timeout_s)
                process.kill()
                process.wait()
        for child in self.children.values():
            child.restart_at = None


def child_environment(**overrides: str) -> dict[str, str]:
    return {**os.environ, **overrides}
