"""The IoT Plug and Play model each module announces, by its kind (deployment/models/<kind>.json).

The SDK announces a model id passed as `product_info` when it starts with
"dtmi:"; IoT Hub then shows the module's telemetry, writable properties and
commands by that DTDL v2 interface. Every asset of a kind shares its kind's
model (three inverters are three `dtmi:energyedge:Solar;1` modules). A test
keeps these ids, the model files and the code in agreement.
"""

from __future__ import annotations

from ....domain.site import BATTERY, BOILER, CONTROLLER, METER, SOLAR, TELEMETRY, Site, kinds

MODELLED_KINDS: tuple[str, ...] = (SOLAR, BATTERY, BOILER, METER, CONTROLLER, TELEMETRY)
MODEL_IDS: dict[str, str] = {kind: f"dtmi:energyedge:{kind.capitalize()};1" for kind in MODELLED_KINDS}
"""Model id by kind (the home site's module names are its kinds)."""


def model_id(site: Site, module_id: str) -> str | None:
    """The model a module of this site announces; None for a kind without a model."""
    return MODEL_IDS.get(kinds(site).get(module_id, module_id))
