"""deployment.template.json -> an IoT Edge deployment manifest, the way iotedgedev and AzureIoTEdge@2 do it.

Three steps, each what the runtime or those tools expect:
- `${NAME}` placeholders are filled from the given variables (registry, tag,
  pull credentials); a placeholder left unfilled is an error naming it, never
  a silently broken image reference;
- every module's `createOptions` object becomes the JSON string edgeAgent
  reads, split into `createOptions`, `createOptions01` … `createOptions07`
  chunks of at most 512 characters (edgeAgent's limit per twin string);
- `$schema-template` is dropped: the manifest is no longer a template.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable, Mapping

from ..domain.errors import ConfigurationError

CHUNK_CHARS = 512
MAX_CHUNKS = 8  # createOptions plus createOptions01..07
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ManifestError(ConfigurationError, ValueError):
    """A template that cannot become a valid manifest, with the reason."""


def generate_manifest(template: Mapping[str, Any], variables: Mapping[str, str]) -> dict[str, Any]:
    manifest = _expand(copy.deepcopy(dict(template)), variables, missing := set())
    if missing:
        raise ManifestError(f"unfilled placeholders: {', '.join('${' + name + '}' for name in sorted(missing))}")
    manifest.pop("$schema-template", None)
    agent = manifest.get("modulesContent", {}).get("$edgeAgent", {}).get("properties.desired", {})
    for group in ("systemModules", "modules"):
        for name, module in agent.get(group, {}).items():
            settings = module.get("settings", {})
            if "createOptions" in settings:
                settings.update(split_create_options(name, settings.pop("createOptions")))
    return manifest


def split_create_options(module: str, options: Any) -> dict[str, str]:
    text = options if isinstance(options, str) else json.dumps(options, separators=(",", ":"))
    chunks = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)] or [""]
    if len(chunks) > MAX_CHUNKS:
        raise ManifestError(f"{module}: createOptions is {len(text)} chars; edgeAgent takes at most "
                            f"{CHUNK_CHARS * MAX_CHUNKS}")
    return {("createOptions" if i == 0 else f"createOptions{i:02d}"): chunk for i, chunk in enumerate(chunks)}


def join_create_options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse, as edgeAgent reads it: the chunks in order, parsed."""
    keys = sorted((k for k in settings if k.startswith("createOptions")), key=lambda k: int(k[13:] or 0))
    return json.loads("".join(settings[k] for k in keys)) if keys else {}


def generate_file(template_path: Path, output_path: Path, variables: Mapping[str, str],
                  prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> dict[str, Any]:
    """`prepare`: turns the template into another template first (one site's modules and routes)."""
    try:
        template = json.loads(template_path.read_text())
    except (OSError, ValueError) as exc:
        raise ManifestError(f"cannot read template {template_path}: {exc}") from exc
    if prepare is not None:
        try:
            template = prepare(template)
        except (KeyError, TypeError) as exc:
            raise ManifestError(f"template {template_path} lacks what a site needs: {exc!r}") from exc
    manifest = generate_manifest(template, variables)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.unlink(missing_ok=True)  # it holds the registry's pull password: readable by its owner only
    with os.fdopen(os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(json.dumps(manifest, indent=2) + "\n")
    return manifest


def tracked_by_git(path: Path) -> bool:
    """Whether `path` lies in a git work tree and is not git-ignored (so a commit could carry it)."""
    git = shutil.which("git")
    folder = path.resolve().parent
    while not folder.exists():
        folder = folder.parent
    if git is None:
        return False
    inside = subprocess.run([git, "-C", str(folder), "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return False
    ignored = subprocess.run([git, "-C", str(folder), "check-ignore", "-q", str(path.resolve())], capture_output=True)
    return ignored.returncode != 0


def _expand(value: Any, variables: Mapping[str, str], missing: set[str]) -> Any:
    if isinstance(value, str):
        def fill(match: re.Match[str]) -> str:
            if match.group(1) not in variables:
                missing.add(match.group(1))
                return match.group(0)
            return variables[match.group(1)]

        return _PLACEHOLDER.sub(fill, value)
    if isinstance(value, dict):
        return {_expand(k, variables, missing): _expand(v, variables, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, variables, missing) for v in value]
    return value
