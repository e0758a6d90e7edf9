"""The command path at 50 assets on edgeHub: does a controller cycle stay inside its 1 s period?

The real azure-iot-device SDK in every module (51 asset and meter modules plus the
controller, production retry and timeout settings), through the local edgeHub stand-in,
which adds edgeHub's own cost per direct method on a device (~45 ms, `EDGEHUB_METHOD_COST_S`);
the SDK runs one client's calls one after another. A summer noon with an export limit:
batteries, boilers and curtailed inverters get new setpoints nearly every cycle, far more
calls than fit in a second one after another. The command path (calls only on change or
lease refresh, refreshes spread, a budget per cycle, calls in flight tracked per asset)
must keep every cycle's decision on time: `edgehub_cycle_p99_ms_50_assets` <= 1000 ms.
Needs ports 8883 and 443; without them it reports nothing.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from energy_edge.adapters.transports.edgehub.client import EdgeHubModuleClient
from energy_edge.domain.services.controller_service import ControllerService

from .many_assets import AssetSide, p99_ms, policy, routes, run_controller, shape
from .result import Result

ASSETS = 50
EDGEHUB_METHOD_COST_S = 0.045
WARMUP_S, DURATION_S = 5.0, 25.0


async def _measure() -> list[Result]:
    from tests.edgehub_standin import EdgeHubStandIn
    from tests.edgehub_standin.standin import patched_environment

    kinds = shape(ASSETS)
    standin = EdgeHubStandIn(Path(tempfile.mkdtemp(prefix="bench-command-path-")), routes=routes(kinds)).start()
    standin.hub.method_latency_s = EDGEHUB_METHOD_COST_S

    def client(module: str) -> EdgeHubModuleClient:  # the production adapter with its default settings
        with patched_environment(standin.module_environment(module)):
            return EdgeHubModuleClient(create_sdk_client=standin.sdk_factory(module), watchdog_interval_s=None)

    assets = AssetSide.build(kinds, client)
    controller = ControllerService(client("controller"), None, assets.clock, policy(ASSETS), asset_kinds=kinds)
    try:
        await assets.start(connect_concurrency=8)
        assets.run()
        await controller.start()
        durations = await run_controller(controller, DURATION_S, WARMUP_S)
        calls, errors = controller.method_calls_total, sum(controller.method_errors_total.values())
        await controller.commands.settle(5.0)
    finally:
        await controller.client.close()
        await assets.stop()
        standin.stop()
    p99 = p99_ms(durations)
    return [
        Result("edgehub_cycle_p99_ms_50_assets", p99, "ms", "<= 1000 (the 1 s period)", p99 <= 1000.0),
        Result("edgehub_cycle_max_ms_50_assets", max(durations) * 1000, "ms"),
        Result("edgehub_method_calls_per_s_50_assets", calls / (WARMUP_S + DURATION_S), "calls/s"),
        Result("edgehub_method_errors_50_assets", errors, "calls", "= 0", errors == 0),
    ]


def run() -> list[Result]:
    try:
        return asyncio.run(_measure())
    except PermissionError:
        print("  skipped: the edgeHub stand-in binds ports 8883 and 443 (root, or net.ipv4.ip_unprivileged_port_start)")
        return []
