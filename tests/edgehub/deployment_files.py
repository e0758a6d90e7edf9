"""Where the deployment files and the official schemas are, and a draft-04 validator that resolves between them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deployment" / "deployment.template.json"
MODELS = REPO / "deployment" / "models"
SCHEMAS = next((path for path in (REPO.parent / "shared" / "schemas", REPO.parents[1] / "shared" / "schemas")
                if path.is_dir()), REPO.parent / "shared" / "schemas")  # beside the repository, or a worktree's
IOT_EDGE_SCHEMAS = (
    "azure-iot-edge-deployment-template-4.0.json",
    "azure-iot-edge-deployment-2.0.json",
    "azure-iot-edgeagent-deployment-1.1.json",
    "azure-iot-edgehub-deployment-1.2.json",
)
TEST_VARIABLES = {"ACR_LOGIN_SERVER": "example.azurecr.io", "IMAGE_TAG": "1.2.3",
                  "ACR_PULL_USERNAME": "pull", "ACR_PULL_PASSWORD": "secret"}


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


def validator(schema_file: str) -> Draft4Validator:
    """A validator for one official schema; skips (with the reason) where ../shared/schemas is absent."""
    missing = [name for name in IOT_EDGE_SCHEMAS if not (SCHEMAS / name).is_file()]
    if missing:
        pytest.skip(f"official IoT Edge schemas not found in {SCHEMAS} (missing {', '.join(missing)})")
    resources = []
    for name in IOT_EDGE_SCHEMAS:
        schema = load_json(SCHEMAS / name)
        resources.append((schema["id"], Resource(schema, specification=DRAFT4)))
    registry = Registry().with_resources(resources)
    return Draft4Validator(load_json(SCHEMAS / schema_file), registry=registry)


def errors(schema_file: str, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(schema_file).iter_errors(document)]
