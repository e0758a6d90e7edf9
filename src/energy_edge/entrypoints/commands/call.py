"""Invoke a direct method on a module of a running MQTT site and print its answer.

Prints the status (200, 400, 403, 404, 409, 504) and the JSON answer; exit
status 0 on 200, 1 otherwise, 2 when the site cannot be reached or the
arguments are wrong. Example:

  energy-edge call battery start_charging '{"power_w": 2000, "ttl_s": 60}'

The broker is EE_MQTT_HOST/EE_MQTT_PORT. The operator's credentials, first that
exists: EE_MQTT_USERNAME/EE_MQTT_PASSWORD; the folder given with --site-dir (or
EE_STATE_DIR); .energy-edge/mqtt/credentials.json in the current folder or the
nearest parent (written by `energy-edge up --transport mqtt`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from ..cli_types import json_value, positive_seconds
from ..operator_client import connected_operator, site_modules, unknown_module


def add_site_options(parser: argparse.ArgumentParser) -> None:
    """--timeout and --site-dir, shared by call and twin."""
    parser.add_argument("--timeout", type=positive_seconds, default=5.0,
                        help="seconds to wait for the answer, > 0 and <= 3600 (default 5)")
    parser.add_argument("--site-dir", type=Path, default=None,
                        help="folder where `energy-edge up --transport mqtt` runs (default: search upward)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("call", help="invoke a direct method on a module of a running MQTT site",
                                   description=__doc__)
    parser.add_argument("module", help="module id, e.g. battery")
    parser.add_argument("method", help="method name, e.g. start_charging")
    parser.add_argument("payload", nargs="?", type=json_value, default={}, help="JSON payload (default {})")
    add_site_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_call(args.module, args.method, args.payload, args.timeout, args.site_dir))


async def _call(module: str, method: str, payload: object, timeout_s: float, site_dir: Path | None) -> int:
    async with connected_operator(site_dir=site_dir) as operator:
        if (missing := await unknown_module(operator, module, site_modules())) is not None:
            print(404)
            print(json.dumps({"error": "unknown_module", "reason": missing}, indent=2))
            return 1
        response = await operator.invoke_method(module, method, payload, timeout_s)
    print(response.status)
    print(json.dumps(response.payload, indent=2))
    return 0 if response.ok else 1
