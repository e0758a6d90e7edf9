"""Balancing time per asset for 10 .. 10,000 assets (target <= 20 us/asset, linear in the asset count).

A mixed site (solar, battery, boiler in turn) balanced cycle after cycle with the
memory carried over, as the controller runs it; the best of several repeats is
kept so another process on the machine does not inflate the figure.
"""

from __future__ import annotations

import time

from energy_edge.domain.balancing import AssetView, BalancerMemory, Policy, SiteSnapshot, balance

from .result import Result

SIZES = (10, 100, 1_000, 10_000)
TARGET_US = 20.0
ASSETS_PER_SIZE = 200_000  # repeat small sites so every size measures a similar amount of work


def _site(count: int) -> list[AssetView]:
    makers = (
        lambda i: AssetView(f"solar{i}", "solar", 4_000.0, available_power_w=4_000.0 + i % 7, rated_power_w=5_000.0),
        lambda i: AssetView(f"battery{i}", "battery", 0.0, soc=0.3 + (i % 5) / 10, capacity_wh=10_000.0,
                            max_charge_w=5_000.0, max_discharge_w=5_000.0, soc_min=0.05, soc_max=0.95),
        lambda i: AssetView(f"boiler{i}", "boiler", 0.0, temperature_c=50.0 + i % 30, min_temperature_c=45.0,
                            max_temperature_c=85.0, heater_power_w=3_000.0),
    )
    return [makers[i % 3](i) for i in range(count)]


def _per_asset_us(count: int, repeats: int = 5) -> float:
    assets = _site(count)
    policy = Policy(import_limit_w=1e7, export_limit_w=1e7)  # the largest connection a policy accepts
    cycles = max(1, ASSETS_PER_SIZE // count)
    best = float("inf")
    for _ in range(repeats):
        memory = BalancerMemory()
        start = time.perf_counter()
        for cycle in range(cycles):  # the grid swings between import and export: every branch runs
            snapshot = SiteSnapshot(float(cycle), (1 if cycle % 2 else -1) * 1_000.0 * count, assets)
            memory = balance(snapshot, policy, memory).memory
        best = min(best, (time.perf_counter() - start) / cycles / count * 1e6)
    return best


def run() -> list[Result]:
    per_asset = {count: _per_asset_us(count) for count in SIZES}
    results = [Result(f"balancing_us_per_asset_{count}", us, "us/asset", f"<= {TARGET_US:g}", us <= TARGET_US)
               for count, us in per_asset.items()]
    linearity = per_asset[10_000] / per_asset[100]
    results.append(Result("balancing_linearity_10000_vs_100", linearity, "ratio", "<= 2", linearity <= 2.0))
    return results
