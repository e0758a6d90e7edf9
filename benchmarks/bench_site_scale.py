"""One controller steering simulated sites of 10, 100 and 1,000 assets, over MQTT and in memory.

MQTT: a real Mosquitto; the assets (each a real MQTT client of its own, and the grid meter)
live in load-generator processes of at most 300 clients, the controller in its own process, so its figures are its own:
controller cycle p99 (1 s cycle; target <= 100 ms at every size), its CPU share of one core
and resident memory at 1,000 assets (CPU target <= 50 %), and the broker's resident memory.
In memory: the same site and controller on the in-memory hub, all in this process.
Each size runs `WARMUP_S` + `MEASURE_S` seconds of real time.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from multiprocessing import shared_memory
from pathlib import Path

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.controller_service import ControllerService

from .many_assets import AssetSide, p99_ms, policy, routes, run_controller, shape
from .result import Result
from .site_scale_process import rss_mb

SIZES = (10, 100, 1_000)
WARMUP_S, MEASURE_S = 5.0, 20.0
P99_TARGET_MS, CPU_TARGET = 100.0, 0.5
ASSETS_PER_PROCESS = 300  # paho-mqtt 1.6 uses select(): ~330 clients (3 descriptors each) per process at most


def _mqtt(count: int, port: int) -> dict:
    command = [sys.executable, "-m", "benchmarks.site_scale_process"]
    shards = -(-(count + 1) // ASSETS_PER_PROCESS)
    slots = shared_memory.SharedMemory(create=True, size=8 * shards)
    generators: list[subprocess.Popen] = []
    try:
        for shard in range(shards):  # one after another: a broker flooded with connects answers slowly
            generators.append(subprocess.Popen(
                [*command, "assets", "--port", str(port), "--count", str(count), "--shard", str(shard),
                 "--seconds", str(WARMUP_S + MEASURE_S + 60 * shards), "--shards", str(shards), "--slots", slots.name],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
            stdout = generators[-1].stdout
            assert stdout is not None and stdout.readline().strip() == "ready", f"load generator {shard} failed"
        for generator in generators:  # all connected: now every asset starts cycling
            assert generator.stdin is not None
            generator.stdin.write("go\n")
            generator.stdin.flush()
        controller = subprocess.run([*command, "controller", "--port", str(port), "--count", str(count),
                                     "--warmup", str(WARMUP_S), "--seconds", str(MEASURE_S)],
                                    capture_output=True, text=True, timeout=WARMUP_S + MEASURE_S + 120)
        lines = [line for line in controller.stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise RuntimeError(f"controller process failed: {controller.stderr[-2000:]}")
        return {**json.loads(lines[-1]), "load_generators": shards}
    finally:
        for generator in generators:
            generator.terminate()
        for generator in generators:
            generator.wait(30)
        slots.close()
        slots.unlink()


async def _inmemory(count: int) -> dict:
    kinds = shape(count)
    hub = InMemoryHub(RouteTable.parse(routes(kinds)), modules=(*kinds, "controller"))
    assets = AssetSide.build(kinds, hub.client)
    controller = ControllerService(hub.client("controller"), None, assets.clock, policy(count), asset_kinds=kinds)
    await assets.start()
    assets.run()
    await controller.start()
    try:
        cpu, wall = time.process_time(), time.monotonic()
        durations = await run_controller(controller, MEASURE_S, WARMUP_S)
        cpu_ratio = (time.process_time() - cpu) / (time.monotonic() - wall)
    finally:
        await controller.stop()
        await assets.stop()
    return {"p99_ms": p99_ms(durations), "cpu_ratio": cpu_ratio, "suspended_cycles": controller.suspended_cycles_total}


def run() -> list[Result]:
    from energy_edge.adapters.transports.mosquitto_broker import MosquittoBroker

    results: list[Result] = []
    for count in SIZES:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as workdir:
            broker = MosquittoBroker(Path(workdir)).start()
            try:
                mqtt = _mqtt(count, broker.port)
                broker_rss = rss_mb(str(broker._process.pid)) if broker._process else float("nan")
            finally:
                broker.stop()
        print(f"  mqtt {count}: {mqtt}", flush=True)
        results.append(Result(f"site_scale_cycle_p99_ms_{count}", mqtt["p99_ms"], "ms", f"<= {P99_TARGET_MS:g}",
                              mqtt["p99_ms"] <= P99_TARGET_MS))
        results.append(Result(f"site_scale_controller_cpu_ratio_{count}", mqtt["cpu_ratio"], "ratio",
                              f"<= {CPU_TARGET:g}" if count == 1_000 else "", mqtt["cpu_ratio"] <= CPU_TARGET
                              if count == 1_000 else None))
        results.append(Result(f"site_scale_controller_rss_mb_{count}", mqtt["rss_mb"], "MB"))
        results.append(Result(f"site_scale_broker_rss_mb_{count}", broker_rss, "MB"))
        results.append(Result(f"site_scale_suspended_cycles_{count}", mqtt["suspended_cycles"], "cycles", "= 0",
                              mqtt["suspended_cycles"] == 0))
        memory = asyncio.run(_inmemory(count))
        print(f"  inmemory {count}: {memory}", flush=True)
        results.append(Result(f"site_scale_inmemory_cycle_p99_ms_{count}", memory["p99_ms"], "ms",
                              f"<= {P99_TARGET_MS:g}", memory["p99_ms"] <= P99_TARGET_MS))
        results.append(Result(f"site_scale_inmemory_process_cpu_ratio_{count}", memory["cpu_ratio"], "ratio"))
    return results
