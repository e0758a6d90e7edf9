"""Composition of the telemetry module's web endpoint and of each module's process metrics.

The page's commands take the operator's path of the site's transport: the
in-memory hub's cloud side, the broker's `operator` user on MQTT (the
password `energy-edge call` uses: EE_MQTT_PASSWORD_OPERATOR, else a local
`up` site's credentials file); on edgeHub IoT Hub is the operator, so the page
refuses commands there. The page's Basic-auth password is that same operator password.
Its TLS files and trusted proxies are read here too (web_settings.py), before anything binds.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any, Iterable

from ..adapters.process_metrics import AssetCollector, ControllerCollector, MqttTransportCollector, ProcessMetrics
from ..adapters.transports.mqtt_acl import OPERATOR_USER
from ..domain.services.telemetry_service import TelemetryService
from .mqtt_credentials import load_or_create, operator_password, state_dir
from .settings import SiteSettings

if TYPE_CHECKING:  # the web stack is imported by the telemetry module only: the others stay lean
    from ..adapters.web.commands import SiteCommands
    from ..adapters.web.server import WebServer

OPERATOR_PASSWORD_ENV = "EE_MQTT_PASSWORD_OPERATOR"


def page_password(settings: SiteSettings, *, create: bool) -> str | None:
    """The operator's password: the environment's, else the local site's (generated when `create`)."""
    if password := os.environ.get(OPERATOR_PASSWORD_ENV):
        return password
    if create:
        return load_or_create(state_dir())[OPERATOR_USER]
    return operator_password()


def mqtt_operator_commands(password: str | None) -> "SiteCommands":
    from ..adapters.web.commands import MqttCommands
    from .mqtt_settings import MqttSettings

    config = MqttSettings().to_config()  # this module's broker, as the operator user
    return MqttCommands(dataclasses.replace(config, username=OPERATOR_USER, password=password, connect_timeout_s=5.0))


def module_commands(transport: str, password: str | None) -> "SiteCommands":
    from ..adapters.web.commands import CloudOnlyCommands

    return mqtt_operator_commands(password) if transport == "mqtt" else CloudOnlyCommands()


def telemetry_web_server(settings: SiteSettings, telemetry: TelemetryService, metrics: ProcessMetrics,
                         commands: "SiteCommands | None", password: str | None) -> "WebServer":
    from ..adapters.prometheus_exporter import build_registry
    from ..adapters.web.app import OperatorPage
    from ..adapters.web.auth import OperatorAuth
    from ..adapters.web.server import WebServer
    from ..domain.services.operator_view import OperatorView
    from .web_settings import WebSettings

    registry = build_registry(telemetry.view)
    registry.register(metrics.registry)  # one process: its own metrics beside the site view
    page = OperatorPage(OperatorView(telemetry), commands, OperatorAuth(OPERATOR_USER, password))
    web = WebSettings()
    return WebServer(registry, telemetry.health_probe, page, settings.metrics_host, settings.metrics_port,
                     tls=web.tls(), trusted_proxies=web.proxies())


def embedded_web_server(settings: SiteSettings, hub: Any, telemetry: TelemetryService,
                        metrics: ProcessMetrics) -> "WebServer":
    from ..adapters.web.commands import HubCommands

    return telemetry_web_server(settings, telemetry, metrics, HubCommands(hub), page_password(settings, create=True))


def module_web_server(settings: SiteSettings, telemetry: TelemetryService,
                      metrics: ProcessMetrics) -> "WebServer":
    password = page_password(settings, create=False)
    return telemetry_web_server(settings, telemetry, metrics, module_commands(settings.transport, password), password)


def instrument_controller(metrics: ProcessMetrics, controller: Any) -> None:
    controller.cycle_observer = metrics.cycle_observer()
    metrics.add(ControllerCollector(controller))


def instrument_assets(metrics: ProcessMetrics, services: Iterable[Any]) -> None:
    metrics.add(AssetCollector(services))


def instrument_transport(metrics: ProcessMetrics, client: Any, module_id: str) -> None:
    if hasattr(client, "malformed_total"):
        metrics.add(MqttTransportCollector(client, module_id))

