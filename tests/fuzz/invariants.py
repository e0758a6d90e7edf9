"""What must hold after any accepted input: finite values, leases under the hard ceiling, powers within ratings."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from energy_edge.domain.services.asset_service import AssetModuleService

LEASE_CEILING_S = 3600.0  # issue 11: leases <= a site maximum, hard ceiling 3600 s


def non_finite_fields(value: Any, path: str = "") -> list[str]:
    """Every float inside a dataclass, mapping or sequence that is NaN or infinite."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [f"{path or 'value'}={value}"]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [bad for f in dataclasses.fields(value) for bad in non_finite_fields(getattr(value, f.name), f"{path}.{f.name}")]
    if isinstance(value, dict):
        return [bad for k, v in value.items() for bad in non_finite_fields(v, f"{path}.{k}")]
    if isinstance(value, (list, tuple)):
        return [bad for i, v in enumerate(value) for bad in non_finite_fields(v, f"{path}[{i}]")]
    return []


def asset_violations(service: AssetModuleService, now: float) -> list[str]:
    """Broken physical limits of one asset after it accepted something."""
    asset = service.asset
    broken = non_finite_fields(asset.config, asset.kind + ".config") + non_finite_fields(asset.setpoint(), asset.kind + ".setpoint")
    expires = asset.lease.expires_at
    if expires is not None and not (math.isfinite(expires) and expires - now <= LEASE_CEILING_S):
        broken.append(f"{asset.kind} lease ends {expires} s, {expires - now:.3g} s from now (ceiling {LEASE_CEILING_S})")
    ttl = getattr(asset.config, "default_setpoint_ttl_s", None)
    if ttl is not None and not (0 < ttl <= LEASE_CEILING_S):
        broken.append(f"{asset.kind}.default_setpoint_ttl_s = {ttl} (ceiling {LEASE_CEILING_S})")
    setpoint = asset.setpoint()
    for name in ("power_w", "limit_w"):
        value = getattr(setpoint, name, None)
        rating = _rating(asset.config, name)
        if isinstance(value, float) and rating is not None and abs(value) > rating * 1.0001:
            broken.append(f"{asset.kind} setpoint {name}={value} beyond its rating {rating}")
    return broken


def _rating(config: Any, name: str) -> float | None:
    if name == "limit_w":
        return getattr(config, "rated_power_w", None)
    charge, discharge = getattr(config, "max_charge_w", None), getattr(config, "max_discharge_w", None)
    return max(charge, discharge) if charge is not None and discharge is not None else None
