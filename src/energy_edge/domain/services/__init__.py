"""Services: asyncio loops that join the pure domain to the ports (asset, controller, telemetry)."""
