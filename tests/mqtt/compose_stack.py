"""Run a compose file's services as local processes, the way `docker compose up` orders them.

The model comes from the Compose v2 binary itself (`config --format json`: anchors,
`.env` interpolation and defaults resolved as compose resolves them). Each service
starts when its `depends_on` conditions hold (`service_started`: its process runs;
`service_healthy`: its healthcheck command exits 0), with the service's own command,
environment and healthcheck. What a container would provide is mapped onto this
machine, and nothing else is changed:
- bind mounts, named volumes and tmpfs become folders under one root (a service's
  paths such as /mosquitto/... are rewritten to that root in its command, environment,
  healthcheck and the files mounted into it); a service's /tmp is its own, and writable
  only when compose makes it so (tmpfs, or not read_only);
- the compose network's host names become 127.0.0.1 and container ports free loopback
  ports (1883 -> a free port, ...), and every HTTP endpoint binds loopback;
- `python` and the console scripts are this virtual environment's.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from energy_edge.adapters.transports.mosquitto_broker import free_port
from energy_edge.entrypoints.compose_observability import observability

BIN = Path(sys.executable).parent
OBSERVABILITY = set(observability([])["extra_services"])


def compose_model(compose_binary: Path, compose_file: Path) -> dict[str, Any]:
    result = subprocess.run([str(compose_binary), "-f", str(compose_file), "config", "--format", "json"],
                            capture_output=True, text=True, timeout=60, cwd=compose_file.parent,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@dataclass
class Service:
    name: str
    command: list[str]
    env: dict[str, str]
    healthcheck: list[str] | None
    depends_on: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    healthy: bool = False
    log: Path | None = None
    checks: list[str] = field(default_factory=list)


class LocalStack:
    """The services of one compose model as processes under `root`; `run_until_healthy`, then `stop`."""

    def __init__(self, model: dict[str, Any]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ee-compose-"))
        self.root.chmod(0o755)  # the broker's own user reads its mounted files, as in its container
        self.ports: dict[str, str] = {}
        self.host_names = set(model["services"])  # the compose network's names
        self.start_order: list[str] = []
        self.services = {name: self._service(name, spec) for name, spec in model["services"].items()
                         if name not in OBSERVABILITY}  # Prometheus and Grafana watch the site; not part of it

    # -- mapping a container onto this machine -------------------------------------------------
    def _port(self, container_port: str) -> str:
        return self.ports.setdefault(container_port, str(free_port()))

    def _mapped(self, text: str, tmp: Path | None = None, mounts: tuple[str, ...] = ()) -> str:
        text = text.replace("/mosquitto", str(self.root / "mosquitto"))
        if tmp is not None and text.startswith("/tmp/"):
            text = str(tmp) + text.removeprefix("/tmp")
        if any(text == target or text.startswith(target + "/") for target in mounts):  # e.g. the site file
            text = str(self.root) + text
        for port in ("1880", "1883", "8883", "9090"):
            text = text.replace(port, self._port(port))
        return text

    def _mount(self, volume: dict[str, Any]) -> None:
        target = Path(str(self.root) + volume["target"])
        target.parent.mkdir(parents=True, exist_ok=True)
        if volume["type"] != "bind":
            target.mkdir(parents=True, exist_ok=True)
            return
        source = Path(volume["source"])
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif source.name.endswith(".conf"):  # the broker's config names its paths and ports
            text = self._mapped(source.read_text())
            text = text.replace(f"listener {self._port('1883')}\n", f"listener {self._port('1883')} 127.0.0.1\n")
            text = text.replace(f"listener {self._port('8883')}\n", f"listener {self._port('8883')} 127.0.0.1\n")
            target.write_text(text)
        else:
            shutil.copy2(source, target)

    def _service(self, name: str, spec: dict[str, Any]) -> Service:
        mounts = tuple(volume["target"] for volume in spec.get("volumes") or [])
        for volume in spec.get("volumes") or []:
            self._mount(volume)
        for path in spec.get("tmpfs") or []:
            Path(str(self.root) + path).mkdir(parents=True, exist_ok=True)
        # The container's own /tmp: writable only where compose makes it so (a tmpfs, or no read_only);
        # otherwise a folder that does not exist, so writing there fails as it would in the container.
        writable = "/tmp" in (spec.get("tmpfs") or []) or not spec.get("read_only")
        tmp = self.root / name / ("tmp" if writable else "read-only-filesystem/tmp")
        if writable:
            tmp.mkdir(parents=True, exist_ok=True)
        env = {"PATH": f"{BIN}:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(self.root), "EE_METRICS_HOST": "127.0.0.1",
               "EE_MODULE_METRICS_PORT": "0"}  # one host: each container's own 9600 would collide here
        for key, value in (spec.get("environment") or {}).items():
            host = key.endswith("_HOST") and value in self.host_names
            env[key] = "127.0.0.1" if host else self._mapped(str(value), tmp, mounts)
        if name == "mosquitto":
            env["MOSQUITTO_ROOT"] = str(self.root / "mosquitto")
            if os.geteuid() != 0:  # the container's root hands files to the broker's user; here we are that user
                env["MOSQUITTO_USER"] = pwd.getpwuid(os.geteuid()).pw_name
        command = [self._mapped(part) for part in spec["command"]]
        if command[0].startswith("energy-edge"):
            command[0] = str(BIN / command[0])
        test = (spec.get("healthcheck") or {}).get("test")
        healthcheck = None
        if test:
            kind, *rest = test
            rest = [self._mapped(part).replace("$$", "$") for part in rest]
            healthcheck = ["sh", "-c", rest[0]] if kind == "CMD-SHELL" else rest
            if healthcheck[0] == "python":
                healthcheck[0] = sys.executable
        depends = {other: spec_["condition"] for other, spec_ in (spec.get("depends_on") or {}).items()}
        return Service(name, command, env, healthcheck, depends)

    # -- running -------------------------------------------------------------------------------
    def _ready(self, service: Service) -> bool:
        for other, condition in service.depends_on.items():
            dependency = self.services[other]
            if dependency.process is None:
                return False
            if condition == "service_healthy" and not dependency.healthy:
                return False
        return True

    def _start(self, service: Service) -> None:
        self.start_order.append(service.name)
        service.log = self.root / f"{service.name}.log"
        with service.log.open("wb") as log:
            service.process = subprocess.Popen(service.command, env=service.env, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True, cwd=self.root)

    def _check(self, service: Service) -> None:
        if service.process is None or service.process.poll() is not None:
            return
        if service.healthcheck is None:
            service.healthy = True
            return
        result = subprocess.run(service.healthcheck, env=service.env, capture_output=True, text=True, timeout=15)
        service.healthy = result.returncode == 0
        service.checks.append(f"{result.returncode} {result.stderr.strip()[-200:]}")

    def run_until_healthy(self, deadline_s: float) -> float:
        """Start services as their conditions allow; returns the seconds until every one was healthy."""
        started = time.monotonic()
        while time.monotonic() - started < deadline_s:
            for service in self.services.values():
                if service.process is None and self._ready(service):
                    self._start(service)
                exited = service.process is not None and service.process.poll() is not None
                assert not exited, f"{service.name} exited with {service.process.returncode}: {self.tail(service)}"
            for service in self.services.values():
                if not service.healthy:
                    self._check(service)
            if all(service.healthy for service in self.services.values()):
                return time.monotonic() - started
            time.sleep(0.5)
        waiting = {s.name: (s.process is not None, s.checks[-1:]) for s in self.services.values() if not s.healthy}
        raise AssertionError(f"not healthy within {deadline_s} s (started, last check): {waiting}")

    def tail(self, service: Service, chars: int = 1500) -> str:
        return service.log.read_text(errors="replace")[-chars:] if service.log and service.log.exists() else ""

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            if service.process is not None and service.process.poll() is None:
                os.killpg(service.process.pid, signal.SIGTERM)
        for service in self.services.values():
            if service.process is not None:
                try:
                    service.process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(service.process.pid, signal.SIGKILL)
                    service.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

