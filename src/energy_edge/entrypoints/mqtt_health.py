"""Container healthcheck: is this module connected to the site broker?

`python -m energy_edge.entrypoints.mqtt_health MODULE` exits 0 when the module
is healthy, 1 otherwise. With EE_MQTT_HEALTH_FILE set (compose sets it) it
reads the age of the file the module touches while its session is up
(`heartbeat_file.py`) and opens no connection: the broker binds client ids to
user names, so a second login with the module's credentials would take over
the module's own session. Without it (a broker that does not bind them), it
reads the module's retained status under a throw-away client id.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

from ..adapters.transports import mqtt_wire as wire
from ..adapters.transports.heartbeat_file import is_fresh
from ..adapters.transports.mqtt_session import MqttSession
from ..adapters.transports.mqtt_topics import Topics
from .mqtt_settings import MqttSettings


async def is_online(module_id: str, settings: MqttSettings, timeout_s: float = 2.0) -> bool:
    # A retained status arrives right after the subscription; 2 s only matters when there is none.
    config = settings.to_config()
    topic = Topics(config.topic_prefix).status(module_id)
    seen: asyncio.Queue[bytes] = asyncio.Queue()
    session = MqttSession(f"{module_id}-health-{uuid.uuid4().hex[:8]}", config, clean_session=True,
                          subscriptions=[topic], on_message=lambda _t, payload, _retained: seen.put_nowait(payload))
    await session.start()
    try:
        return wire.decode_status(await asyncio.wait_for(seen.get(), timeout_s))
    except (asyncio.TimeoutError, wire.WireError):
        return False
    finally:
        await session.stop()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m energy_edge.entrypoints.mqtt_health MODULE", file=sys.stderr)
        return 2
    settings = MqttSettings(connect_timeout_s=5.0)
    if settings.health_file:
        return 0 if is_fresh(settings.health_file) else 1
    try:
        return 0 if asyncio.run(is_online(args[0], settings)) else 1
    except ConnectionError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
