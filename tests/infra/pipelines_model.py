"""Read azure-pipelines.yml and its templates, and validate them offline.

The schema is Microsoft's pipelines schema (azure-pipelines-vscode service-schema.json v1.261.1), kept in
../shared/schemas next to the project; tests skip, naming the path, where that folder is absent.

Two documented adjustments make the schema usable on templates:
- Compile-time `${{ parameters.<name> }}` is replaced by the parameter's default before validation, so a
  template is checked as it is instantiated by default (an undeclared parameter is an error). The schema has
  no notion of template expressions and would reject them in enum-typed inputs.
- The schema lists the task name PublishCodeCoverageResults@2 but has no entry for its inputs, so every use
  fails to match; we add the entry from the task reference (summaryFileLocation required, pathToSources,
  failIfCoverageEmpty; no other input), as strict as the schema's own task entries.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ROOT_PIPELINE = REPO_ROOT / "azure-pipelines.yml"
TEMPLATES = REPO_ROOT / "pipelines"
SCHEMA = Path(REPO_ROOT).parent / "shared" / "schemas" / "azure-pipelines.schema.json"

_PARAMETER_EXPRESSION = re.compile(r"\$\{\{\s*parameters\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_MACRO = re.compile(r"\$\(([A-Z][A-Z0-9_]*)\)")
_RUNTIME_VARIABLE = re.compile(r"variables\[\s*'([A-Z][A-Z0-9_]*)'\s*\]")

_PUBLISH_CODE_COVERAGE_2 = {
    "properties": {
        "task": {"pattern": "^PublishCodeCoverageResults@2$"},
        "inputs": {
            "properties": {
                "summaryFileLocation": {"type": "string"},
                "pathToSources": {"type": "string"},
                "failIfCoverageEmpty": {"type": "boolean"},
            },
            "additionalProperties": False,
            "required": ["summaryFileLocation"],
        },
    },
    "firstProperty": ["task"],
    "required": ["task"],
}


def pipeline_files() -> list[Path]:
    return [ROOT_PIPELINE, *sorted(TEMPLATES.rglob("*.yml"))]


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft7Validator:
    if not SCHEMA.is_file():
        pytest.skip(f"pipelines schema not found at {SCHEMA} (the shared schemas folder is absent)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    schema["definitions"]["task"]["anyOf"].append(_PUBLISH_CODE_COVERAGE_2)
    return jsonschema.Draft7Validator(schema)


def instantiate(document: dict[str, Any]) -> dict[str, Any]:
    """The template with each `${{ parameters.x }}` replaced by x's default; KeyError for an undeclared one."""
    defaults = {p["name"]: p.get("default", "") for p in document.get("parameters", []) or []}

    def substitute(value: Any) -> Any:
        if isinstance(value, str):
            return _PARAMETER_EXPRESSION.sub(lambda m: str(defaults[m.group(1)]), value)
        if isinstance(value, list):
            return [substitute(item) for item in value]
        if isinstance(value, dict):
            return {key: substitute(item) for key, item in value.items()}
        return value

    instantiated = substitute({k: v for k, v in document.items() if k != "parameters"})
    if "parameters" in document:
        instantiated["parameters"] = copy.deepcopy(document["parameters"])
    return instantiated


def schema_problems(document: dict[str, Any]) -> list[str]:
    """Schema violations of the instantiated document, each at the deepest place the schema can blame."""
    problems = []
    for error in validator().iter_errors(instantiate(document)):
        leaves = _leaves(error)
        depth = max(len(leaf.absolute_path) for leaf in leaves)
        problems += sorted({f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in leaves if len(e.absolute_path) == depth})
    return problems


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The innermost errors, leaving out the alternatives for other tasks (a step names its task, so only the
    alternative of that task is relevant)."""
    if not error.context:
        return [error]
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for child in error.context:
        branches.setdefault(child.relative_schema_path[0], []).append(child)
    relevant = [
        branch
        for branch in branches.values()
        if not any(c.validator == "pattern" and list(c.relative_path) == ["task"] for c in branch)
    ] or list(branches.values())
    return [leaf for branch in relevant for child in branch for leaf in _leaves(child)]


def walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every mapping inside a YAML document."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def template_references(path: Path) -> list[Path]:
    """The files a pipeline file includes with `template:`, resolved (as Azure Pipelines does) from its folder."""
    return [(path.parent / node["template"]).resolve() for node in walk(load(path)) if isinstance(node.get("template"), str)]


def tasks(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [node for node in walk(document) if node.get("task") == name]


def used_variables(text: str) -> set[str]:
    """Upper-case pipeline variables a file reads, as $(NAME) macros or variables['NAME'] in conditions."""
    return set(_MACRO.findall(text)) | set(_RUNTIME_VARIABLE.findall(text))


def defined_variables(document: dict[str, Any]) -> set[str]:
    """Variables a pipeline file defines itself (list form `- name:` and mapping form under `variables:`)."""
    names: set[str] = set()
    for node in walk(document):
        variables = node.get("variables")
        if isinstance(variables, dict):
            names |= set(variables)
        elif isinstance(variables, list):
            names |= {item["name"] for item in variables if isinstance(item, dict) and "name" in item}
    return names


def readme_variables(readme: str) -> list[str]:
    """Names in the first column of the README's pipeline-variables table (under '## CI/CD (Azure DevOps)')."""
    section = readme.split("## CI/CD (Azure DevOps)", 1)[-1].split("\n## ", 1)[0] if "## CI/CD (Azure DevOps)" in readme else ""
    return re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", section, re.MULTILINE)
