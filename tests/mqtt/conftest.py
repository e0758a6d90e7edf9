"""MQTT transport tests: every test runs against its own real Mosquitto."""

from ..mosquitto import mosquitto, mosquitto_factory  # noqa: F401  (fixtures)
