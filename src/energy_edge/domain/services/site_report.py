"""The controller's aggregated site telemetry (output `cloud`): one JSON document per interval.

Built from the same latest asset telemetry the balancer used, so the cloud and
the telemetry module see what the controller saw.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ..telemetry import AssetTelemetry


def site_report(now: float, grid_power_w: float | None, assets: Iterable[tuple[AssetTelemetry, bool]],
                counters: Mapping[str, Any], cycle_durations_s: list[float],
                plan: Mapping[str, float] | None = None, suspended_reason: str | None = None,
                limits: Mapping[str, float] | None = None,
                next_report_within_s: float | None = None) -> dict[str, Any]:
    """`assets` pairs each module's latest telemetry with its staleness; sums cover fresh assets only.

    `plan` is the planner's guidance in force, reported as `plan_<name>` so an operator sees why
    the site exports before it stores, or charges from the grid. `suspended_reason` says why the
    controller issues no setpoints (the grid meter is stale or in FAULT); None while it balances.
    `limits` are the policy's grid and SoC limits in force, so the operator's page shows what binds.
    `next_report_within_s` (reporting interval + one cycle) tells /healthz how long a silence is normal.
    """
    power = {"solar": 0.0, "battery": 0.0, "boiler": 0.0, "meter": 0.0}
    soc_wh = capacity_wh = temperature_sum = 0.0
    boilers = 0
    summary = []
    for telemetry, stale in assets:
        summary.append({"module": telemetry.module, "kind": telemetry.kind, "state": telemetry.state,
                        "power_w": telemetry.power_w, "stale": stale})
        if stale:
            continue
        power[telemetry.kind] += telemetry.power_w
        if telemetry.kind == "battery":
            soc_wh += telemetry.values["soc"] * telemetry.values["capacity_wh"]
            capacity_wh += telemetry.values["capacity_wh"]
        elif telemetry.kind == "boiler":
            temperature_sum += telemetry.values["temperature_c"]
            boilers += 1
    return {
        "timestamp": now,
        "grid_power_w": grid_power_w,
        "pv_power_w": power["solar"],
        "battery_power_w": power["battery"],
        "battery_soc": soc_wh / capacity_wh if capacity_wh > 0 else None,
        "boiler_power_w": power["boiler"],
        "boiler_temperature_c": temperature_sum / boilers if boilers else None,
        "control_suspended": suspended_reason is not None,
        "control_suspended_reason": suspended_reason,
        "assets": summary,
        "counters": dict(counters),
        "cycle_durations_s": list(cycle_durations_s),
        "limits": dict(limits or {}),
        "next_report_within_s": next_report_within_s,
        **{f"plan_{name}": value for name, value in (plan or {}).items()},
    }
