"""edgeHub transport through the real azure-iot-device SDK and the local TLS stand-in (tests/edgehub_standin).

- method round trip: controller.invoke_method (HTTPS to the hub) -> battery handler over MQTT -> reply, p50/p99;
- telemetry: solar send_message -> controller input (outbox, MQTT QoS 1, routing), p50/p99.
No target: on a device edgeHub's own costs dominate; these show what the adapter and SDK add on loopback.
Needs ports 8883 and 443 (the SDK connects to no other); without them it reports nothing.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from energy_edge.domain.messages import Message, MethodResponse

from .result import Result

CALLS = 200
MESSAGES = 200


def _percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


async def _measure() -> list[Result]:
    from tests.edgehub_standin import EdgeHubStandIn

    standin = EdgeHubStandIn(Path(tempfile.mkdtemp(prefix="bench-edgehub-"))).start()
    arrivals: dict[int, float] = {}

    async def on_telemetry(message: Message) -> None:
        arrivals[int(message.properties["n"])] = time.perf_counter()

    async def battery_methods(request) -> MethodResponse:
        return MethodResponse(200, {"state": "IDLE"})

    controller, battery, solar = standin.client("controller"), standin.client("battery"), standin.client("solar")
    controller.on_input("telemetry", on_telemetry)
    battery.on_method(battery_methods)
    try:
        for client in (controller, battery, solar):
            await client.connect()
        round_trips = []
        for _ in range(CALLS):
            started = time.perf_counter()
            response = await controller.invoke_method("battery", "stop", {}, timeout_s=5)
            round_trips.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response
        sent: dict[int, float] = {}
        for n in range(MESSAGES):
            sent[n] = time.perf_counter()
            await solar.send_message("telemetry", Message(b'{"seq":%d}' % n, {"n": str(n)}))
            await asyncio.sleep(0.02)  # paced (50/s, modules send ~1/s): latency, not queueing in the outbox
        deadline = time.monotonic() + 30
        while len(arrivals) < MESSAGES and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        latencies = [(arrivals[n] - sent[n]) * 1000 for n in arrivals]
    finally:
        for client in (controller, battery, solar):
            await client.close()
        standin.stop()
    return [
        Result("edgehub method round trip p50", statistics.median(round_trips), "ms"),
        Result("edgehub method round trip p99", _percentile(round_trips, 99), "ms"),
        Result("edgehub telemetry solar->controller p50", statistics.median(latencies), "ms"),
        Result("edgehub telemetry solar->controller p99", _percentile(latencies, 99), "ms"),
        Result("edgehub telemetry delivered", 100.0 * len(latencies) / MESSAGES, "%", "= 100 %", len(latencies) == MESSAGES),
    ]


def run() -> list[Result]:
    try:
        return asyncio.run(_measure())
    except PermissionError:
        print("  skipped: the edgeHub stand-in binds ports 8883 and 443 (root, or net.ipv4.ip_unprivileged_port_start)")
        return []
