"""One side of the MQTT scale benchmark in its own process: the asset load generator, or the controller.

    python -m benchmarks.site_scale_process assets     --port P --count N --seconds S
    python -m benchmarks.site_scale_process controller --port P --count N --warmup W --seconds S

The load generator runs the asset modules of an N-asset site (each a real MQTT client of
its own) and its grid meter, split over `--shards` processes (paho-mqtt 1.6 selects on its
sockets, so one process holds at most ~330 clients), which share their assets' power
through shared memory so the meter reads the whole site; the controller process runs the controller alone, so its
cycle durations, CPU time and resident memory are its own. The controller prints one JSON
line: cycle p99 (ms), CPU ratio (of one core) and RSS (MB) over the measured window.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import sys
import time
from multiprocessing import resource_tracker, shared_memory

from energy_edge.adapters.clocks import RealClock
from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.adapters.transports.mqtt_session import MqttConfig
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.controller_service import ControllerService

from .many_assets import AssetSide, p99_ms, policy, routes, run_controller, shape


def rss_mb(pid: str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _assets(config: MqttConfig, count: int, seconds: float, shard: int, shards: int, slots: str) -> None:
    kinds = shape(count)
    table = RouteTable.parse(routes(kinds))
    memory = shared_memory.SharedMemory(name=slots) if slots else None
    if memory is not None:  # the bench owns it: this process's resource tracker must not unlink it (Python < 3.13)
        resource_tracker.unregister(memory._name, "shared_memory")  # type: ignore[attr-defined]
    powers = memory.buf.cast("d") if memory is not None else None
    try:
        side = AssetSide.build(kinds, lambda module: MqttModuleClient(module, table, config), shard=shard,
                               shards=shards, slots=powers)
        await side.start(connect_concurrency=25)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "go": every shard is connected
        side.run()
        await asyncio.sleep(seconds)
        await side.stop()
    finally:
        if powers is not None:
            powers.release()
        if memory is not None:
            memory.close()


async def _controller(config: MqttConfig, count: int, warmup_s: float, seconds: float) -> None:
    kinds = shape(count)
    controller = ControllerService(MqttModuleClient("controller", RouteTable.parse(routes(kinds)), config),
                                   None, RealClock(), policy(count), asset_kinds=kinds)
    await controller.start()
    print("ready", flush=True)
    warm = asyncio.ensure_future(run_controller(controller, seconds, warmup_s))
    await asyncio.sleep(warmup_s)
    cpu_start, wall_start = time.process_time(), time.monotonic()
    durations = await warm
    cpu_ratio = (time.process_time() - cpu_start) / (time.monotonic() - wall_start)
    result = {"p99_ms": p99_ms(durations), "cpu_ratio": cpu_ratio, "rss_mb": rss_mb(),
              "cycles": len(durations), "suspended_cycles": controller.suspended_cycles_total,
              "method_calls": controller.method_calls_total, "method_errors": sum(controller.method_errors_total.values()),
              "assets_seen": sum(1 for module in controller.latest if not controller.is_stale(module))}
    await controller.stop()
    print(json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("assets", "controller"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--shard", type=int, default=0)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument("--slots", default="", help="shared memory of the shards' asset powers")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    config = MqttConfig(port=args.port, keepalive_s=60, connect_timeout_s=120.0)
    if args.role == "assets":
        asyncio.run(_assets(config, args.count, args.seconds, args.shard, args.shards, args.slots))
    else:
        asyncio.run(_controller(config, args.count, args.warmup, args.seconds))


if __name__ == "__main__":
    main()
