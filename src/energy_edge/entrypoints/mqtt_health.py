"""Container healthcheck: is this module announced online on the site broker?

`python -m energy_edge.entrypoints.mqtt_health MODULE` exits 0 when the
module's retained status says online, 1 otherwise. It connects with the
module's own EE_MQTT_* credentials (the ACL lets every module read every
status) under a throw-away client id, so the module's session is untouched.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

from ..adapters.transports import mqtt_wire as wire
from ..adapters.transports.mqtt_session import MqttSession
from ..adapters.transports.mqtt_topics import Topics
from .mqtt_settings import MqttSettings


async def is_online(module_id: str, settings: MqttSettings, timeout_s: float = 2.0) -> bool:
    # A retained status arrives right after the subscription; 2 s only matters when there is none.
    config = settings.to_config()
    topic = Topics(config.topic_prefix).status(module_id)
    seen: asyncio.Queue[bytes] = asyncio.Queue()
    session = MqttSession(f"{module_id}-health-{uuid.uuid4().hex[:8]}", config, clean_session=True,
                          subscriptions=[topic], on_message=lambda _t, payload: seen.put_nowait(payload))
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
    try:
        return 0 if asyncio.run(is_online(args[0], MqttSettings(connect_timeout_s=5.0))) else 1
    except ConnectionError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
