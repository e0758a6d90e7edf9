"""Print the Azure Pipelines job matrix of the test groups: one job per folder under tests/.

Why discover instead of listing: engineers add test folders (tests/mqtt, tests/modbus, ...) without
touching the pipeline; a hard-coded list would silently leave new groups out of CI.
A group is a direct subfolder of tests/ holding at least one test_*.py file (at any depth); test
files directly in tests/ form the group `root`. Each job gets TEST_GROUP (its name) and TEST_PATH
(what to hand to pytest; a shell glob for `root`).

Usage (in a pipeline step named `groups`): python tools/ci_test_matrix.py tests
It prints `##vso[task.setvariable variable=matrix;isOutput=true]{...}` so a later job can use
`strategy: matrix: $[ dependencies.discover.outputs['groups.matrix'] ]`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT_GROUP = "root"


def test_groups(tests_root: Path) -> list[str]:
    """Names of the subfolders of `tests_root` that contain tests, sorted."""
    return sorted(
        folder.name
        for folder in tests_root.iterdir()
        if folder.is_dir() and not folder.name.startswith((".", "_")) and any(folder.rglob("test_*.py"))
    )


def matrix(tests_root: Path) -> dict[str, dict[str, str]]:
    """The matrix object: a job key (letters, digits, underscore, as Azure Pipelines requires) per group."""
    jobs = {
        re.sub(r"[^A-Za-z0-9_]", "_", group): {"TEST_GROUP": group, "TEST_PATH": f"{tests_root.name}/{group}"}
        for group in test_groups(tests_root)
    }
    if any(tests_root.glob("test_*.py")):
        jobs[ROOT_GROUP] = {"TEST_GROUP": ROOT_GROUP, "TEST_PATH": f"{tests_root.name}/test_*.py"}
    return jobs


def logging_command(jobs: dict[str, dict[str, str]]) -> str:
    return "##vso[task.setvariable variable=matrix;isOutput=true]" + json.dumps(jobs, separators=(",", ":"))


def main(argv: list[str]) -> int:
    jobs = matrix(Path(argv[1] if len(argv) > 1 else "tests"))
    if not jobs:
        sys.stderr.write("no test groups found\n")
        return 1
    sys.stdout.write(logging_command(jobs) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
