"""Run every benchmark module, print a table and write bench-results.json.

A benchmark module `bench_<topic>.py` defines `run() -> list[Result]`.
Pass module names (e.g. `python -m benchmarks balancing`) to run a subset;
results of other topics already in bench-results.json are kept.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import traceback
from pathlib import Path

from .result import Result

OUTPUT = Path("bench-results.json")


def main(selected: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    if selected:
        names = [n for n in names if n.removeprefix("bench_") in selected or n in selected]
    results: dict[str, dict] = json.loads(OUTPUT.read_text()) if OUTPUT.exists() else {}
    failed = 0
    for name in names:
        print(f"== {name}", flush=True)
        try:
            for result in importlib.import_module(f"benchmarks.{name}").run():
                results[result.name] = result.as_json()
                print(result.row(), flush=True)
        except Exception:  # one broken benchmark must not hide the others' numbers
            failed += 1
            traceback.print_exc()
    OUTPUT.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT} ({len(results)} results)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
