"""Start, stop and restart the stand-in on its own loopback address; give modules their environment.

The stand-in runs on its own thread and event loop, as edgeHub runs beside the
modules, so nothing a test does on its loop can stall the hub. It listens on
127.x.y.z:8883 (MQTT over TLS, the only port the SDK uses) and :443 (HTTPS
method calls) on an address of its own, so concurrent test runs never meet.
Modules reach it exactly as on a developer machine: EdgeHubConnectionString
and EdgeModuleCACertificateFile, read by create_from_edge_environment().
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import ssl
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from azure.iot.device.aio import IoTHubModuleClient

from energy_edge.adapters.transports.edgehub import EdgeHubModuleClient
from energy_edge.domain.messages import Message, Twin
from energy_edge.domain.topology import DEFAULT_ROUTES

from .broker import Broker
from .certs import write_server_files
from .hub import Hub
from .https_endpoint import MethodEndpoint
from .sas import HUB_HOST, module_key

MQTT_PORT = 8883
HTTPS_PORT = 443
_ENV_LOCK = threading.Lock()
_LOOPBACK = "127.0.0.0/8,localhost"


def free_loopback_address() -> str:
    """A random 127.x.y.z where both ports are free; PermissionError when ports below 1024 are not ours."""
    for _ in range(50):
        host = f"127.{random.randint(100, 254)}.{random.randint(0, 254)}.{random.randint(2, 254)}"
        try:
            for port in (MQTT_PORT, HTTPS_PORT):
                with socket.socket() as sock:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind((host, port))
            return host
        except PermissionError:
            raise
        except OSError:
            continue
    raise RuntimeError("no free loopback address with ports 8883 and 443")


@contextlib.contextmanager
def patched_environment(values: Mapping[str, str]) -> Iterator[None]:
    """os.environ with `values` for the duration; one module at a time (the SDK reads os.environ)."""
    with _ENV_LOCK:
        saved = {key: os.environ.get(key) for key in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


class EdgeHubStandIn:
    def __init__(self, workdir: Path, *, device_id: str = "site-1", routes: Mapping[str, str] = DEFAULT_ROUTES) -> None:
        self.workdir = workdir
        self.device_id = device_id
        self.hub = Hub(device_id, routes)
        self.broker = Broker(self.hub.on_publish, self.hub.on_subscribe, self.hub.authenticate)
        self.hub.sessions = self.broker.sessions
        self.methods = MethodEndpoint(self.hub)
        self.host = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="edgehub-standin", daemon=True)
        self._tls: ssl.SSLContext | None = None
        self.ca_file: Path | None = None

    # -- lifecycle (call from any thread) --------------------------------------------
    def start(self) -> "EdgeHubStandIn":
        for name in ("NO_PROXY", "no_proxy"):  # requests must not send loopback calls to a proxy
            current = os.environ.get(name, "")
            if _LOOPBACK not in current:
                os.environ[name] = ",".join(filter(None, (current, _LOOPBACK)))
        self.host = free_loopback_address()
        files = write_server_files(self.workdir, self.host)
        self.ca_file = files.ca_cert
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(files.server_cert, files.server_key)
        self._thread.start()
        self._call(self._serve())
        return self

    def stop(self) -> None:
        """Shut down for good."""
        if self._thread.is_alive():
            self._call(self._shutdown())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    def go_down(self) -> None:
        """edgeHub crashes: listeners and connections gone, sessions and twins kept."""
        self._call(self._close())

    def come_back(self) -> None:
        self._call(self._serve())

    async def _serve(self) -> None:
        assert self._tls is not None
        await self.broker.serve(self.host, MQTT_PORT, self._tls)
        await self.methods.serve(self.host, HTTPS_PORT, self._tls)

    async def _close(self) -> None:
        await self.methods.close()
        await self.broker.close()

    async def _shutdown(self) -> None:
        """Close, then let every connection handler finish, so no task is left pending."""
        await self._close()
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _call(self, coroutine: Any, timeout_s: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout_s)

    async def _on_hub(self, coroutine: Any) -> Any:
        """Run on the stand-in's loop, awaited from the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    # -- what a module needs ----------------------------------------------------------
    def module_environment(self, module_id: str) -> dict[str, str]:
        return {
            "EdgeHubConnectionString": f"HostName={HUB_HOST};GatewayHostName={self.host};"
            f"DeviceId={self.device_id};ModuleId={module_id};SharedAccessKey={module_key(module_id)}",
            "EdgeModuleCACertificateFile": str(self.ca_file),
        }

    def sdk_factory(self, module_id: str) -> Callable[..., IoTHubModuleClient]:
        """create_from_edge_environment() with this module's environment: the production path."""

        def create(**options: Any) -> IoTHubModuleClient:
            with patched_environment(self.module_environment(module_id)):
                return IoTHubModuleClient.create_from_edge_environment(**options)

        return create

    def client(self, module_id: str, **options: Any) -> EdgeHubModuleClient:
        """The production adapter, configured by this module's environment (tests: fast retries, no watchdog)."""
        options = {"connection_retry_interval_s": 1, "retry_interval_s": 0.2, "watchdog_interval_s": None, **options}
        with patched_environment(self.module_environment(module_id)):
            return EdgeHubModuleClient(create_sdk_client=self.sdk_factory(module_id), **options)

    # -- the operator's side ------------------------------------------------------------
    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int:
        return await self._on_hub(self.hub.set_desired(module_id, patch))

    async def twin(self, module_id: str) -> Twin:
        async def read() -> Twin:
            twin = self.hub.twin(module_id)
            return Twin(dict(twin.desired), dict(twin.reported))

        return await self._on_hub(read())

    def upstream(self) -> list[Message]:
        return list(self.hub.upstream)
