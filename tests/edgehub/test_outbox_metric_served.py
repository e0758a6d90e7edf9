"""Issue 11: the edgeHub outbox's drops can be scraped from the module's own process (EE_MODULE_METRICS_PORT)."""

from __future__ import annotations

import urllib.request

from energy_edge.adapters.default_registry_server import serve_default_registry
from energy_edge.adapters.transports.edgehub.outbox import DROPPED
from energy_edge.entrypoints.settings import SiteSettings

from ..helpers import free_port


def test_a_module_serves_the_outbox_drops_on_its_own_port():
    port = free_port()
    server = serve_default_registry(port, "127.0.0.1")
    try:
        DROPPED.labels(module="fuzz-test").inc(3)
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert 'energy_edge_edgehub_outbox_dropped_total{module="fuzz-test"} 3.0' in body
        assert "process_resident_memory_bytes" in body  # the process's own figures come along
    finally:
        server.shutdown()
        server.server_close()


def test_it_is_off_unless_a_port_is_set():
    assert SiteSettings().module_metrics_port == 0 and serve_default_registry(0) is None
