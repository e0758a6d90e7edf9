"""Issue 11: edgeHub keeps its store-and-forward queue on a host folder, so it survives an edgeHub restart."""

from __future__ import annotations

import json

from energy_edge.entrypoints.edge_manifest import generate_manifest

from .deployment_files import TEMPLATE, TEST_VARIABLES, load_json


def _edgehub(document):
    return document["modulesContent"]["$edgeAgent"]["properties.desired"]["systemModules"]["edgeHub"]


def test_edgehub_stores_on_a_host_mount_named_by_its_storage_folder():
    manifest = generate_manifest(load_json(TEMPLATE), TEST_VARIABLES)
    hub = _edgehub(manifest)
    folder = hub["env"]["storageFolder"]["value"]
    create = json.loads("".join(v for k, v in sorted(hub["settings"].items()) if k.startswith("createOptions")))
    mounts = dict(bind.split(":")[:2][::-1] for bind in create["HostConfig"]["Binds"])
    assert folder in mounts  # the folder edgeHub writes is a bind mount, not the container's own layer
    assert mounts[folder].startswith("/") and not mounts[folder].startswith("/tmp")  # a host path that persists
    assert create["HostConfig"]["PortBindings"]  # the rest of createOptions survived
