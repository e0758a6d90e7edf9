"""Adapters: the ports' implementations (transports, hardware, clocks, metrics)."""
