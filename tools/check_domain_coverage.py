"""Fail when branch coverage of src/energy_edge/domain drops below a threshold.

Usage: check_domain_coverage.py coverage.json 90
"""

from __future__ import annotations

import json
import sys


def main(path: str, threshold: float) -> int:
    files = json.load(open(path, encoding="utf-8"))["files"]
    covered = total = 0
    for name, data in files.items():
        if "/energy_edge/domain/" not in name.replace("\\", "/"):
            continue
        summary = data["summary"]
        covered += summary["covered_lines"] + summary.get("covered_branches", 0)
        total += summary["num_statements"] + summary.get("num_branches", 0)
    if total == 0:
        print("domain coverage: no domain files measured")
        return 1
    percent = 100.0 * covered / total
    print(f"domain coverage (lines + branches): {percent:.1f} % (threshold {threshold:.0f} %)")
    return 0 if percent >= threshold else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
