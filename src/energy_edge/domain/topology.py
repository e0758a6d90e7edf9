"""The site's modules, their outputs and inputs, and the one routes definition.

Every transport (in-memory, MQTT, edgeHub manifest) reads `DEFAULT_ROUTES`;
a test checks that deployment/deployment.template.json carries the same.
"""

from __future__ import annotations

SOLAR = "solar"
BATTERY = "battery"
BOILER = "boiler"
CONTROLLER = "controller"
TELEMETRY = "telemetry"

ASSET_MODULES: tuple[str, ...] = (SOLAR, BATTERY, BOILER)
ALL_MODULES: tuple[str, ...] = (*ASSET_MODULES, CONTROLLER, TELEMETRY)
# The kind of each asset module: receivers refuse telemetry whose body claims another kind for its sender.
# A site file (domain/site.py) gives its own; services take the mapping at construction.
ASSET_KINDS: dict[str, str] = {SOLAR: "solar", BATTERY: "battery", BOILER: "boiler"}

# Outputs and inputs by module (names the code really uses).
TELEMETRY_OUTPUT = "telemetry"  # every asset module
CLOUD_OUTPUT = "cloud"  # controller: aggregated site telemetry
TELEMETRY_INPUT = "telemetry"  # controller and telemetry module: asset telemetry
SITE_INPUT = "site"  # telemetry module: the controller's site report

OUTPUTS: dict[str, tuple[str, ...]] = {
    SOLAR: (TELEMETRY_OUTPUT,),
    BATTERY: (TELEMETRY_OUTPUT,),
    BOILER: (TELEMETRY_OUTPUT,),
    CONTROLLER: (CLOUD_OUTPUT,),
    TELEMETRY: (),
}
INPUTS: dict[str, tuple[str, ...]] = {
    SOLAR: (),
    BATTERY: (),
    BOILER: (),
    CONTROLLER: (TELEMETRY_INPUT,),
    TELEMETRY: (TELEMETRY_INPUT, SITE_INPUT),
}


def _brokered(module: str, input_name: str) -> str:
    return f'BrokeredEndpoint("/modules/{module}/inputs/{input_name}")'


DEFAULT_ROUTES: dict[str, str] = {
    **{
        f"{asset}ToController": f"FROM /messages/modules/{asset}/outputs/{TELEMETRY_OUTPUT} "
        f"INTO {_brokered(CONTROLLER, TELEMETRY_INPUT)}"
        for asset in ASSET_MODULES
    },
    **{
        f"{asset}ToTelemetry": f"FROM /messages/modules/{asset}/outputs/{TELEMETRY_OUTPUT} "
        f"INTO {_brokered(TELEMETRY, TELEMETRY_INPUT)}"
        for asset in ASSET_MODULES
    },
    "controllerToTelemetry": f"FROM /messages/modules/{CONTROLLER}/outputs/{CLOUD_OUTPUT} "
    f"INTO {_brokered(TELEMETRY, SITE_INPUT)}",
    "controllerToUpstream": f"FROM /messages/modules/{CONTROLLER}/outputs/{CLOUD_OUTPUT} INTO $upstream",
}
