"""A tiny explicit state machine: the whole behaviour is one transition table.

Keeping the table as data (not as if/else in handlers) lets the tests walk
every (state, event) pair, and lets the architecture document print it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, Mapping, TypeVar

from ..errors import NotAllowed

S = TypeVar("S", bound=StrEnum)

Table = Mapping[tuple[S, str], S]


class StateMachine(Generic[S]):
    """Holds one state and moves it only along `table`; a refused event raises `NotAllowed`."""

    def __init__(self, name: str, table: Table[S], initial: S) -> None:
        self.name = name
        self.table = dict(table)
        self.state = initial

    def events(self) -> frozenset[str]:
        return frozenset(event for _, event in self.table)

    def allows(self, event: str) -> bool:
        return (self.state, event) in self.table

    def target(self, event: str, command: str | None = None) -> S:
        """The state `event` would lead to, or `NotAllowed` naming `command` (the method) and the state."""
        try:
            return self.table[(self.state, event)]
        except KeyError:
            raise NotAllowed(f"{self.name}.transition",
                             f"{command or event} not allowed in {self.state}") from None

    def fire(self, event: str, command: str | None = None) -> S:
        self.state = self.target(event, command)
        return self.state
