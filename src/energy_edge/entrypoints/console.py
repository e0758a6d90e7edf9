"""Where every console script meets its user: errors become one sentence, never a traceback.

Every `main` of the package's console scripts runs its body through
`run_console`, so the rules hold in one place:

- something the user gave (an option, an EE_* variable, a file, a port that is
  taken) -> one sentence naming it, the value and what is allowed; exit 2;
- an unexpected failure -> one line with the error and a hint; exit 1; the
  traceback only with `--debug` or EE_LOG_LEVEL=DEBUG;
- the reader of stdout went away (`| head`) -> quiet exit, as a pipe expects;
- Ctrl-C -> exit 130 without a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from typing import Callable, Sequence

from pydantic import ValidationError

from ..domain.errors import ConfigurationError
from .settings_errors import settings_sentence

EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process ended by SIGPIPE
EXIT_INTERRUPTED = 130
MAX_LINE_CHARS = 300

Body = Callable[[list[str]], int]


def debug_requested(argv: Sequence[str]) -> bool:
    return "--debug" in argv or os.environ.get("EE_LOG_LEVEL", "").strip().upper() == "DEBUG"


def run_console(prog: str, body: Body, argv: Sequence[str] | None = None) -> int:
    """Run `body(argv)` and turn whatever escapes it into the exit code and the line a user should see."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = int(body(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except SystemExit as exc:
        if isinstance(exc.code, str):  # `raise SystemExit("sentence")`: a refusal worded for the user
            _say(prog, exc.code)
            return EXIT_USAGE
        raise
    except Exception as exc:  # noqa: BLE001 - this is the one place that decides what a user sees
        sentence = user_error_sentence(exc)
        if sentence is not None:
            _say(prog, sentence)
            if debug_requested(args):
                traceback.print_exc()
            return EXIT_USAGE
        if debug_requested(args):
            traceback.print_exc()
        if isinstance(exc, ConnectionError):  # what it talks to is away: not a bug, and the message says where
            _say(prog, f"{exc} (check that it runs and is reachable; --debug shows the traceback)")
        else:
            _say(prog, f"unexpected error: {type(exc).__name__}: {exc} "
                       "(run again with --debug or EE_LOG_LEVEL=DEBUG for the traceback, and report it)")
        return EXIT_UNEXPECTED


def user_error_sentence(exc: BaseException) -> str | None:
    """The sentence for an error the user caused, or None for a failure of the program."""
    if isinstance(exc, ValidationError):
        return settings_sentence(exc)
    if isinstance(exc, ConfigurationError):
        return str(exc)
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc} (check the path and its permissions)"
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"an address this command needs is in use ({exc.strerror}): stop what holds it, or choose another port"
    return None


def _say(prog: str, text: str) -> None:
    line = " ".join(text.split())
    if len(line) > MAX_LINE_CHARS:
        line = line[:MAX_LINE_CHARS] + "…"
    try:
        print(f"{prog}: {line}", file=sys.stderr, flush=True)
    except (BrokenPipeError, OSError):
        pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
