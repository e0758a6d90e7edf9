"""Logging for every module: one JSON object per line in containers, readable in a terminal.

`auto` picks JSON when stderr is not a terminal (a container, a pipe, a file),
so `docker logs` and IoT Edge's log upload get structured lines while a person
at a terminal reads plain text.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(log_format: str = "auto", level: str = "INFO", module: str = "") -> None:
    use_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    handler = logging.StreamHandler(sys.stderr)
    if use_json:
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"},
                                           static_fields={"module_id": module} if module else None))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("azure.iot.device", "paho", "pymodbus", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
