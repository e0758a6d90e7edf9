"""Argument types that validate: a bad value is refused by argparse with the option's name, the value and what is allowed.

Every console script builds its parser with `UserArgumentParser`, so a usage
error is one line (plus where to read the help) and exit code 2, never a
traceback or a half-started site.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any, Callable, NoReturn

from ..domain.bounded_json import DuplicateKey, JsonLimitExceeded, check_depth, unique_keys
from ..domain.bounds import MAX_JSON_DEPTH, MAX_METHOD_TIMEOUT_S
from ..domain.shown import cut, shown
from .version import version_text


class UserArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors and `--version` on every (sub)command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        if "-" not in self.prefix_chars:  # a catch-all parser (a moved command) takes no options
            return
        self.add_argument("--version", action="version", version=version_text(),
                          help="print the version and exit")
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                          help="on an unexpected failure, print the traceback (also EE_LOG_LEVEL=DEBUG)")

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        """argparse's, with the unrecognized arguments cut (domain.shown): a 5000-character one was echoed whole."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            self.error(f"unrecognized arguments: {cut(' '.join(extra))}")
        return parsed

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """argparse's, with the refused choice cut (domain.shown) and the choices kept."""
        if action.choices is not None and value not in action.choices:
            choices = ", ".join(map(repr, action.choices))
            raise argparse.ArgumentError(action, f"invalid choice: {shown(value)} (choose from {choices})")


def _refuse(text: str, allowed: str) -> NoReturn:
    raise argparse.ArgumentTypeError(f"{shown(text)} is not allowed: {allowed}")  # a 5000-digit value cut


def number(*, gt: float | None = None, ge: float | None = None, le: float | None = None,
           unit: str = "") -> Callable[[str], float]:
    """A finite float within bounds; `inf`, `nan` and out-of-range values are refused."""
    bounds = [f"> {gt:g}" if gt is not None else "", f">= {ge:g}" if ge is not None else "",
              f"<= {le:g}" if le is not None else ""]
    allowed = f"a finite number {' and '.join(b for b in bounds if b)}".strip() + (f" {unit}" if unit else "")

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            _refuse(text, allowed)
        if not math.isfinite(value) or (gt is not None and value <= gt) or (ge is not None and value < ge) \
                or (le is not None and value > le):
            _refuse(text, allowed)
        return value

    parse.__name__ = "number"
    return parse


def integer(*, ge: int, le: int, allowed: str = "") -> Callable[[str], int]:
    """A whole number from `ge` to `le` (`allowed`: how a refusal says so, if not "a whole number from ...")."""
    allowed = allowed or f"a whole number from {ge} to {le}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            _refuse(text, allowed)
        if not ge <= value <= le:
            _refuse(text, allowed)
        return value

    parse.__name__ = "integer"
    return parse


def port(*, allow_zero: bool) -> Callable[[str], int]:
    """A TCP port: 1..65535, or 0..65535 where 0 asks the system for a free one."""
    low = 0 if allow_zero else 1
    parse = integer(ge=low, le=65535, allowed=f"a TCP port from {low} to 65535"
                    + (" (0 = any free port)" if allow_zero else ""))
    parse.__name__ = "port"
    return parse


class NestedTooDeep(argparse.ArgumentTypeError):
    """JSON nested deeper than `MAX_JSON_DEPTH`: no module would read it."""


class RepeatedKey(argparse.ArgumentTypeError):
    """JSON with a key twice in one object (`reason` says which): no module would read it."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{shown(text)} is not allowed: {reason}")
        self.reason = reason


def json_value(text: str) -> Any:
    """JSON text whose numbers are finite (JSON has no Infinity or NaN; Python's parser would accept them),
    nested no deeper than a module reads and with no key twice in one object (`bounded_json`)."""
    def refuse_constant(name: str) -> NoReturn:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not allowed: JSON has no {name}")
    try:
        value = json.loads(text, parse_constant=refuse_constant, object_pairs_hook=unique_keys)
        check_depth(value)
    except DuplicateKey as exc:  # which one the user meant, no module could tell
        raise RepeatedKey(text, exc.reason) from None
    except (RecursionError, JsonLimitExceeded):  # deeper than the parser's stack, or than any module reads
        raise NestedTooDeep(f"{shown(text)} is not allowed: nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not JSON ({exc})") from None
    if not _finite(value):
        raise argparse.ArgumentTypeError(f"{shown(text)} is not allowed: every number must be finite")
    return value


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


positive_seconds = number(gt=0, le=MAX_METHOD_TIMEOUT_S, unit="seconds")
