"""The IoT Plug and Play model each module announces (deployment/models/<module>.json).

The SDK announces a model id passed as `product_info` when it starts with
"dtmi:"; IoT Hub then shows the module's telemetry, writable properties and
commands by that DTDL v2 interface. A test keeps these ids, the model files
and the code in agreement.
"""

from __future__ import annotations

from ....domain.topology import ALL_MODULES

MODEL_IDS: dict[str, str] = {module: f"dtmi:energyedge:{module.capitalize()};1" for module in ALL_MODULES}
