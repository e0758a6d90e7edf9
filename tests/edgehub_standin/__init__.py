"""A local stand-in for IoT Edge's edgeHub, so the real azure-iot-device SDK runs over TLS in tests.

Small on purpose: just enough MQTT 3.1.1 (TLS, QoS 0/1, persistent sessions)
and edgeHub behaviour (routes, twins, methods, the HTTPS method endpoint) to
exercise `EdgeHubModuleClient` through the SDK. It is not a broker.
"""

from .standin import EdgeHubStandIn

__all__ = ["EdgeHubStandIn"]
