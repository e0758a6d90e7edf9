"""Read the Bicep files of infra/ into plain dictionaries, and the checks the tests run on them.

pycep-parser (pycep.BicepParser) turns a .bicep file into JSON-like dicts: `parameters`, `variables`,
`resources` (each with `type`, `api_version`, `config`), `modules` (with `detail.path` and
`config.params`) and `outputs`. It cannot read .bicepparam files (its grammar has no `using`), so
`read_bicepparam` reads those with two small regular expressions; that is enough because a parameters
file only holds `using '<file>'` and `param <name> = <expression>` lines.

Each check returns a list of problems (empty when all is well), so a test can also show that a
deliberately broken copy is caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from pycep import BicepParser

from tests.infra import azure_catalog

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA = REPO_ROOT / "infra"
MAIN_BICEP = INFRA / "main.bicep"
MAIN_BICEPPARAM = INFRA / "main.bicepparam"

_USING = re.compile(r"^\s*using\s+'(?P<path>[^']+)'", re.MULTILINE)
_PARAM = re.compile(r"^\s*param\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.+?)\s*$", re.MULTILINE)
_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
_SECRET_NAME = re.compile(r"password|secret|key|token|connectionstring|credential", re.IGNORECASE)


@lru_cache(maxsize=None)
def _parser() -> BicepParser:
    return BicepParser()


def parse_bicep(path: Path) -> dict[str, Any]:
    return _parser().parse(file_path=path)


def parse_bicep_text(text: str) -> dict[str, Any]:
    return _parser().parse(text=text)


@dataclass(frozen=True)
class BicepParam:
    """A parameters file: the template it is `using`, and each `param name = value` (value as source text)."""

    using: str
    values: dict[str, str]


def read_bicepparam(text: str) -> BicepParam:
    using = _USING.search(text)
    return BicepParam(
        using=using.group("path") if using else "",
        values={m.group("name"): m.group("value") for m in _PARAM.finditer(text)},
    )


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


def resources(model: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(symbolic name, resource, its properties) for every resource; unwraps `= if (...) {...}`."""
    for name, resource in model.get("resources", {}).items():
        config = resource.get("config", {})
        if "condition" in config and isinstance(config.get("config"), dict):
            config = config["config"]
        yield name, resource, config


def resolve(model: dict[str, Any], value: Any) -> Any:
    """A string naming a variable of the file is replaced by the variable's value (pycep keeps references as names)."""
    if isinstance(value, str) and value in model.get("variables", {}):
        return model["variables"][value]["value"]
    return value


def required_parameters(model: dict[str, Any]) -> set[str]:
    return {name for name, param in model.get("parameters", {}).items() if param.get("default") is None}


# ---- checks -------------------------------------------------------------------------------------------


def check_resource_types(model: dict[str, Any]) -> list[str]:
    """Every resource has a `Provider/type` and an API version Azure publishes for that type."""
    problems = []
    for name, resource, _ in resources(model):
        rtype, version = resource.get("type") or "", resource.get("api_version") or ""
        if "/" not in rtype:
            problems.append(f"resource {name}: no resource type")
        if not _API_VERSION.match(version):
            problems.append(f"resource {name}: no API version")
        elif version not in azure_catalog.API_VERSIONS.get(rtype, frozenset()):
            problems.append(f"resource {name}: {rtype}@{version} is not a known API version")
    return problems


def check_arguments(given: set[str], declared: dict[str, Any], where: str) -> list[str]:
    """Arguments handed to a template (a parameters file, or a module call) exist there; required ones are given."""
    problems = [f"{where}: parameter {name} is not declared" for name in sorted(given - set(declared))]
    missing = {name for name, param in declared.items() if param.get("default") is None} - given
    problems += [f"{where}: required parameter {name} is not given" for name in sorted(missing)]
    return problems


def check_modules(model: dict[str, Any], folder: Path) -> list[str]:
    """Every module path exists (relative to the calling file) and receives valid arguments."""
    problems = []
    for name, module in model.get("modules", {}).items():
        path = folder / module.get("detail", {}).get("path", "")
        if module.get("type") != "local" or not path.is_file():
            problems.append(f"module {name}: {path} does not exist")
            continue
        given = set(module.get("config", {}).get("params", {}))
        problems += check_arguments(given, parse_bicep(path).get("parameters", {}), f"module {name}")
    return problems


def _metric_criteria(model: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource, config in resources(model):
        if resource.get("type") == "Microsoft.Insights/metricAlerts":
            for criterion in config.get("properties", {}).get("criteria", {}).get("allOf", []):
                yield name, criterion


def _log_queries(model: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name, resource, config in resources(model):
        if resource.get("type") == "Microsoft.Insights/scheduledQueryRules":
            for criterion in config.get("properties", {}).get("criteria", {}).get("allOf", []):
                yield name, str(resolve(model, criterion.get("query", "")))


def alert_signals(model: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(metric names, log categories) the file's alerts watch."""
    metrics = {str(resolve(model, c.get("metricName"))) for _, c in _metric_criteria(model)}
    categories = {cat for _, query in _log_queries(model) for cat in re.findall(r'Category\s*==\s*"([^"]+)"', query)}
    return metrics, categories


def check_alerts(model: dict[str, Any]) -> list[str]:
    """Every metric alert names a real IoT Hub metric with a supported aggregation; every log alert a real category."""
    problems = []
    for name, criterion in _metric_criteria(model):
        metric = resolve(model, criterion.get("metricName"))
        namespace = resolve(model, criterion.get("metricNamespace"))
        aggregation = criterion.get("timeAggregation")
        if namespace != azure_catalog.IOT_HUB_METRIC_NAMESPACE:
            problems.append(f"alert {name}: metric namespace {namespace!r} is not the IoT Hub's")
        if metric not in azure_catalog.IOT_HUB_METRICS:
            problems.append(f"alert {name}: {metric!r} is not an IoT Hub metric")
        elif aggregation not in azure_catalog.IOT_HUB_METRICS[metric]:
            problems.append(f"alert {name}: {metric} has no {aggregation!r} aggregation")
    for name, query in _log_queries(model):
        if query.lstrip().startswith("InsightsMetrics"):  # the modules' own metrics, via the metrics-collector
            problems += check_module_metrics(name, query)
            continue
        categories = re.findall(r'Category\s*==\s*"([^"]+)"', query)
        if not categories:
            problems.append(f"alert {name}: the query names no IoT Hub log category")
        problems += [
            f"alert {name}: {cat!r} is not an IoT Hub log category"
            for cat in categories
            if cat not in azure_catalog.IOT_HUB_LOG_CATEGORIES
        ]
    return problems


def check_module_metrics(alert: str, query: str) -> list[str]:
    """An InsightsMetrics query names metrics the modules really export (tests/telemetry/metric_names.py)."""
    from ..telemetry.metric_names import sample_names

    names = re.findall(r'Name\s*==\s*"([^"]+)"', query)
    if not names:
        return [f"alert {alert}: the query names no metric"]
    exported = sample_names()
    return [f"alert {alert}: {n!r} is not a metric the modules export" for n in names if n not in exported]


def check_no_secrets(model: dict[str, Any]) -> list[str]:
    """Secret-looking parameters are @secure; no output is secret-looking or reads keys with a list*() call."""
    problems = []
    for name, param in model.get("parameters", {}).items():
        secure = any(d.get("type") == "secure" for d in param.get("decorators", []))
        if param.get("type") in ("string", "object") and _SECRET_NAME.search(name) and not secure:
            problems.append(f"parameter {name} looks secret but is not @secure()")
    for name, output in model.get("outputs", {}).items():
        if _SECRET_NAME.search(name) and not name.endswith("Name"):
            problems.append(f"output {name} looks secret")
        if re.search(r"'func_name': 'list", repr(output.get("value"))):
            problems.append(f"output {name} reads keys with a list*() function")
    return problems
