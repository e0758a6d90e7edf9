"""GET /metrics of one module process: prometheus-client's default registry on a daemon thread.

The telemetry module serves the site's view (`prometheus_exporter.py`); what
happens inside another module's own process is only in that process, e.g.
the edgeHub outbox's drops (`energy_edge_edgehub_outbox_dropped_total`, which
`edgehub/outbox.py` registers in the default registry) and the process's
memory and CPU. Off unless EE_MODULE_METRICS_PORT is set.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY, start_http_server


def serve_default_registry(port: int, host: str = "0.0.0.0") -> Any:
    """Start serving on `port` (0: serve nothing, return None); the server lives as long as the process."""
    if port == 0:
        return None
    server, _thread = start_http_server(port, addr=host, registry=REGISTRY)
    return server
