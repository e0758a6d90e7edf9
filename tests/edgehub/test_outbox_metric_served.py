"""Issue 11: the edgeHub outbox's drops can be scraped from the module's own process (EE_MODULE_METRICS_PORT)."""

from __future__ import annotations

import urllib.request

from energy_edge.adapters.process_metrics import ProcessMetrics
from energy_edge.adapters.transports.edgehub.outbox import DROPPED

from ..helpers import free_port


def test_a_module_serves_the_outbox_drops_on_its_own_port():
    port = free_port()
    server = ProcessMetrics("battery").serve("127.0.0.1", port)
    try:
        DROPPED.labels(module="fuzz-test").inc(3)
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert 'energy_edge_edgehub_outbox_dropped_total{module="fuzz-test"} 3.0' in body
    finally:
        server.shutdown()
        server.server_close()
