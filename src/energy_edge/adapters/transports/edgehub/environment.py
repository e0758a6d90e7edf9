"""Which device and module this process is, read the way the SDK reads it.

On a device IoT Edge sets IOTEDGE_DEVICEID / IOTEDGE_MODULEID; outside it
(the simulator, our tests) the SDK falls back to EdgeHubConnectionString, and
so do we, so the ids always agree with the identity the SDK connects as.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from ....domain.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class EdgeIdentity:
    device_id: str
    module_id: str



class EdgeEnvironmentMissing(ConfigurationError, OSError):
    """Not under the IoT Edge runtime and no connection string: a setting the user must give (exit 2)."""

def identity_from_environment(environ: Mapping[str, str] | None = None) -> EdgeIdentity:
    env = os.environ if environ is None else environ
    if "IOTEDGE_DEVICEID" in env and "IOTEDGE_MODULEID" in env:
        return EdgeIdentity(env["IOTEDGE_DEVICEID"], env["IOTEDGE_MODULEID"])
    fields = parse_connection_string(env.get("EdgeHubConnectionString", ""))
    try:
        return EdgeIdentity(fields["DeviceId"], fields["ModuleId"])
    except KeyError as exc:
        raise EdgeEnvironmentMissing(
            "IoT Edge environment not configured (EE_TRANSPORT=edgehub): set IOTEDGE_DEVICEID/IOTEDGE_MODULEID (on a device) "
            "or EdgeHubConnectionString with DeviceId and ModuleId"
        ) from exc


def parse_connection_string(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip()] = value  # SAS keys end in '=': partition keeps them whole
    return fields
