"""Failures of a fuzz run, grouped by kind with the first examples (a run reports all, not the first)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any


class Findings:
    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.examples: dict[str, list[str]] = defaultdict(list)

    def add(self, kind: str, example: Any) -> None:
        self.counts[kind] += 1
        if len(self.examples[kind]) < 3:
            self.examples[kind].append(repr(example)[:300])

    def __bool__(self) -> bool:
        return bool(self.counts)

    def report(self, extra: list[str] = ()) -> str:  # type: ignore[assignment]
        lines = [f"{kind}: {n} times, e.g. {self.examples[kind]}" for kind, n in sorted(self.counts.items())]
        return "\n".join([*lines, *extra])
