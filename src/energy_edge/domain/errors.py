"""Domain errors. Each names the rule that refused a command, so an operator learns why.

Services translate them into method status codes (see `Status`) and twin
acknowledgements; they never crash a module.
"""

from __future__ import annotations

from .status import Status


class DomainError(Exception):
    """A command or configuration refused by a named rule; the state is unchanged."""

    status: Status = Status.BAD_REQUEST

    def __init__(self, rule: str, reason: str) -> None:
        super().__init__(f"{rule}: {reason}")
        self.rule = rule
        self.reason = reason

    def as_payload(self) -> dict[str, str]:
        return {"error": self.rule, "reason": self.reason}


class InvalidPayload(DomainError):
    """Wrong type, missing field or value out of range (400)."""

    status = Status.BAD_REQUEST


class UnknownMethod(DomainError):
    """No handler for this method name (404)."""

    status = Status.NOT_FOUND


class NotAllowed(DomainError):
    """The transition table refuses this command in the current state (409)."""

    status = Status.CONFLICT


class MalformedMessage(DomainError):
    """A message whose bytes are not the telemetry they claim to be; counted and dropped."""


class HardwareFault(Exception):
    """A device that cannot be read or written, or answers with impossible values.

    Raised by hardware adapters; the asset goes to FAULT with `reason` and the
    controller stops counting on it.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MeterUnavailable(Exception):
    """The grid meter cannot be balanced on: no reading for `STALE_AFTER_CYCLES` cycles, or in FAULT.

    The controller then stops issuing setpoints and lets every lease run out: it never
    balances on a guess of the grid power.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoNewReading(Exception):
    """The meter has not reported since it was last read; balancing twice on one reading would
    answer the meter's delay with a second correction, so the controller holds for this cycle."""


class ConfigurationError(Exception):
    """A setting, option or file a person gave that is not allowed, or a resource it names that is taken.

    Its message is one sentence naming the option, variable or file, the value and
    what is allowed. The console scripts print it and exit 2; nothing has started.
    """


class PlanningFailed(Exception):
    """The planning solver found no plan in time (infeasible, numerical trouble, over its time bound).

    Planning is an optimisation: the controller falls back to the heuristic planner, and the
    balancer keeps every limit whatever the guidance.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
