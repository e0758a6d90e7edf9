"""Logging for every module: one JSON object per line in containers, readable in a terminal.

`auto` picks JSON when stderr is not a terminal (a container, a pipe, a file),
so `docker logs` and IoT Edge's log upload get structured lines while a person
at a terminal reads plain text. Received values are cut where they are logged
(`domain.shown`); `BoundedMessages` is the backstop: no message is longer than
`MAX_LOG_MESSAGE_CHARS`, whatever a caller formatted into it.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from ..domain.shown import cut

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
MAX_LOG_MESSAGE_CHARS = 2_000  # a few received values (each cut to 200 characters) and the sentence around them


class BoundedMessages(logging.Filter):
    """Cut every formatted message to `MAX_LOG_MESSAGE_CHARS`, so no input can make a log line huge."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > MAX_LOG_MESSAGE_CHARS:
            record.msg, record.args = cut(message, MAX_LOG_MESSAGE_CHARS), ()
        return True


def configure_logging(log_format: str = "auto", level: str = "INFO", module: str = "") -> None:
    use_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    handler = logging.StreamHandler(sys.stderr)
    if use_json:
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"},
                                           static_fields={"module_id": module} if module else None))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, "%H:%M:%S"))
    handler.addFilter(BoundedMessages())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("azure.iot.device", "paho", "pymodbus", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
