"""The home site's modules, their outputs and inputs, and its routes, derived from `site.home_site()`.

Any site's topology derives from its `Site` (`domain/site.py`: `routes_for`,
`all_modules`, ...). These module-level names are the home site's, for code
and tests that run today's one-of-each site; a test checks that
deployment/deployment.template.json carries `DEFAULT_ROUTES`.
"""

from __future__ import annotations

from .site import (
    BATTERY,
    BOILER,
    CLOUD_OUTPUT,
    CONTROLLER,
    SITE_INPUT,
    SOLAR,
    TELEMETRY,
    TELEMETRY_INPUT,
    TELEMETRY_OUTPUT,
    all_modules,
    asset_kinds,
    asset_modules,
    home_site,
    inputs_for,
    outputs_for,
    routes_for,
)

__all__ = [
    "ALL_MODULES", "ASSET_KINDS", "ASSET_MODULES", "BATTERY", "BOILER", "CLOUD_OUTPUT", "CONTROLLER", "DEFAULT_ROUTES", "INPUTS",
    "OUTPUTS", "SITE_INPUT", "SOLAR", "TELEMETRY", "TELEMETRY_INPUT", "TELEMETRY_OUTPUT",
]

HOME = home_site()
ASSET_MODULES: tuple[str, ...] = asset_modules(HOME)
ALL_MODULES: tuple[str, ...] = all_modules(HOME)
# The kind of each asset module: receivers refuse telemetry whose body claims another kind for its sender.
ASSET_KINDS: dict[str, str] = asset_kinds(HOME)
OUTPUTS: dict[str, tuple[str, ...]] = outputs_for(HOME)
INPUTS: dict[str, tuple[str, ...]] = inputs_for(HOME)
DEFAULT_ROUTES: dict[str, str] = routes_for(HOME)
