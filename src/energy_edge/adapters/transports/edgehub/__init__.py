"""The edgeHub transport: the ModuleClient port on azure-iot-device (production on IoT Edge)."""

from .client import EdgeHubModuleClient
from .watchdog import ReceiveWatchdog

__all__ = ["EdgeHubModuleClient", "ReceiveWatchdog"]
