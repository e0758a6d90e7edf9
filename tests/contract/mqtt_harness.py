"""The contract suite's MQTT harness: a real broker, module clients, and the operator side."""

from __future__ import annotations

from typing import Any

from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.adapters.transports.mqtt_operator import MqttOperator
from energy_edge.domain.messages import Message
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.site import Site, home_site, routes_for

from ..mosquitto import TempBroker, client_config


class MqttHarness:
    name = "mqtt"

    def __init__(self, site: Site | None = None) -> None:
        self._temp = TempBroker()
        self.config = client_config(self._temp.broker)
        self.routes = RouteTable.parse(routes_for(site or home_site()))
        self.operator = MqttOperator(self.config)

    @classmethod
    async def start(cls, site: Site | None = None) -> "MqttHarness":
        harness = cls(site)
        await harness.operator.connect()
        return harness

    def client(self, module_id: str) -> MqttModuleClient:
        return MqttModuleClient(module_id, self.routes, self.config)

    async def set_desired(self, module_id: str, patch: dict[str, Any]) -> int:
        return await self.operator.set_desired(module_id, patch)

    async def reported(self, module_id: str) -> dict[str, Any]:
        return dict(self.operator.reported_docs.get(module_id, {}))

    def upstream(self) -> list[Message]:
        return list(self.operator.upstream)

    async def aclose(self) -> None:
        await self.operator.close()
        self._temp.close()
