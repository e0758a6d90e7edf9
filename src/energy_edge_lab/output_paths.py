"""Where a lab run writes, checked before it runs: a run of minutes should not end on a path it cannot write.

`simulate --out` and `quality --plots` are folders (made, with their parents, as
the run would make them); `quality --results` is a JSON file the figures are
merged into (its folder must exist, and a file there must be a JSON object).
Each check writes (and removes) a probe where the run will write, so it holds
for root and for read-only mounts alike. A refusal is one sentence naming the
option and the path; the command exits 2 before simulating.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from energy_edge.domain.shown import cut


def folder_problem(path: Path, option: str) -> str | None:
    """None when the run can write into folder `path` (made now if missing), else the sentence."""
    shown = cut(str(path))
    if path.exists() and not path.is_dir():
        return f"{option} {shown}: not a folder (it is a file): give a folder to write into"
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        return f"{option} {shown}: cannot write into it ({exc.strerror or exc}): give a writable folder"
    return None


def results_file_problem(path: Path, option: str) -> str | None:
    """None when the run can merge its figures into JSON file `path`, else the sentence."""
    shown = cut(str(path))
    allowed = "give a JSON file (of figures, or a new one) in a writable folder"
    if path.is_dir():
        return f"{option} {shown}: a folder, not a file: {allowed}"
    if not path.parent.is_dir():
        return f"{option} {shown}: its folder {cut(str(path.parent))} does not exist: {allowed}"
    try:
        if path.exists():
            results = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(results, dict):
                return f"{option} {shown}: not a JSON object of figures: {allowed}"
            with path.open("r+"):  # writable, left as it is
                pass
        else:
            with path.open("x"):
                pass
            path.unlink()
    except OSError as exc:
        return f"{option} {shown}: cannot write it ({exc.strerror or exc}): {allowed}"
    except (ValueError, RecursionError):  # not JSON (or not UTF-8): merging would fail after the run
        return f"{option} {shown}: not a JSON file of figures: {allowed}"
    return None
