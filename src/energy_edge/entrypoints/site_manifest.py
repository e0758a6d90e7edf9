"""The deployment template made into one site's template: one module per asset, the site's routes.

`energy-edge edge genconfig --site FILE` runs this before filling the
placeholders (edge_manifest.py). Every module runs the one image; an asset's
module is the template's module of its kind (Cmd, Env, HostConfig), renamed to
the asset id and started as `energy-edge-module` with `EE_ASSET_ID=<id>`. Every
module reads the site file, bind-mounted read-only from the device
(`--device-site-file`, default /etc/energy-edge/site.toml), through
EE_SITE_FILE. The desired properties of each asset and of the controller
derive from the site file (ratings, SoC band, grid limits, position), with the
template's values for the rest; `$edgeHub` gets `routes_for(site)`.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

from ..domain.site import BATTERY, BOILER, CONTROLLER, SOLAR, TELEMETRY, AssetSpec, Site, routes_for
from .factories import initial_policy, served_assets

DEVICE_SITE_FILE = "/etc/energy-edge/site.toml"
SITE_POLICY = ("import_limit_w", "export_limit_w", "latitude_deg", "longitude_deg", "pv_tilt_deg", "pv_azimuth_deg")
"""The controller's desired properties the site file decides (the rest stay the template's)."""
ASSET_COMMAND = "energy-edge-module"


def site_template(template: Mapping[str, Any], site: Site, device_site_file: str = DEVICE_SITE_FILE) -> dict[str, Any]:
    """A copy of `template` deploying `site`; the template's modules named after kinds are the prototypes."""
    document = copy.deepcopy(dict(template))
    content = document["modulesContent"]
    agent = content["$edgeAgent"]["properties.desired"]
    prototypes = agent["modules"]
    modules: dict[str, Any] = {}
    for spec in served_assets(site):
        module = copy.deepcopy(prototypes.get(spec.kind) or prototypes[SOLAR])
        _run(module, [ASSET_COMMAND], {"EE_ASSET_ID": spec.id}, device_site_file)
        modules[spec.id] = module
    for service in (CONTROLLER, TELEMETRY):
        module = copy.deepcopy(prototypes[service])
        _run(module, None, {}, device_site_file)
        modules[service] = module
    agent["modules"] = modules

    desired = {name: content.pop(name) for name in list(content) if not name.startswith("$")}
    for spec in served_assets(site):
        base = desired.get(spec.kind, {}).get("properties.desired", {})
        content[spec.id] = {"properties.desired": _asset_desired(spec, base, site)}
    if CONTROLLER in desired:
        base = desired[CONTROLLER]["properties.desired"]
        from_site = initial_policy(site).as_dict()  # what a controller starts with before its twin arrives
        content[CONTROLLER] = {"properties.desired": {
            **base, **{name: from_site[name] for name in SITE_POLICY if name in from_site}}}
    content["$edgeHub"]["properties.desired"]["routes"] = routes_for(site)
    return document


def _run(module: dict[str, Any], command: list[str] | None, env: dict[str, str], device_site_file: str) -> None:
    options = module["settings"]["createOptions"]
    if command is not None:
        options["Cmd"] = command
    variables = {**env, "EE_SITE_FILE": device_site_file}
    options["Env"] = [entry for entry in options.get("Env", []) if entry.split("=", 1)[0] not in variables]
    options["Env"] += [f"{name}={value}" for name, value in variables.items()]
    host = options.setdefault("HostConfig", {})
    host["Binds"] = [*host.get("Binds", []), f"{device_site_file}:{device_site_file}:ro"]


def _asset_desired(spec: AssetSpec, base: Mapping[str, Any], site: Site) -> dict[str, Any]:
    """The template's desired properties of the asset's kind, with the asset's own ratings (an inverter's
    export-safe limit at most its share of the site's export limit)."""
    desired = dict(base)
    if spec.kind == SOLAR and spec.rated_power_w:
        desired["rated_power_w"] = spec.rated_power_w
        desired["export_safe_limit_w"] = min(float(desired.get("export_safe_limit_w", spec.rated_power_w)),
                                             spec.rated_power_w, site.export_share_w(spec.id))
    elif spec.kind == BATTERY:
        desired.update(soc_min=spec.soc_min, soc_max=spec.soc_max, max_charge_w=spec.max_charge_w,
                       max_discharge_w=spec.max_discharge_w)
    elif spec.kind == BOILER:
        desired.update(min_temperature_c=spec.min_temperature_c, max_temperature_c=spec.max_temperature_c)
        if "setpoint_c" in desired:
            desired["setpoint_c"] = min(max(float(desired["setpoint_c"]), spec.min_temperature_c),
                                        spec.max_temperature_c)
    return desired
