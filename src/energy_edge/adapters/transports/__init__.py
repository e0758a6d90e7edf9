"""Transports implementing `domain.ports.ModuleClient`: in-memory, MQTT and edgeHub."""
