"""`energy-edge call MODULE METHOD '{json}'`: invoke a direct method on a running MQTT site.

Prints the status and the JSON answer; exits 0 on 200, 1 otherwise. The
broker comes from EE_MQTT_* (a local `up --transport mqtt` site is found by
itself, with its operator credentials).
"""

from __future__ import annotations

import argparse
import asyncio
import json

from ..operator_client import connected_operator


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("call", help="invoke a direct method on a running MQTT site", description=__doc__)
    parser.add_argument("module", help="module id, e.g. battery")
    parser.add_argument("method", help="method name, e.g. start_charging")
    parser.add_argument("payload", nargs="?", default="{}", help="JSON payload (default {})")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the answer (default 5)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        payload = json.loads(args.payload)
    except ValueError as exc:
        raise SystemExit(f"payload is not JSON: {exc}") from None
    return asyncio.run(_call(args.module, args.method, payload, args.timeout))


async def _call(module: str, method: str, payload: object, timeout_s: float) -> int:
    try:
        async with connected_operator() as operator:
            response = await operator.invoke_method(module, method, payload, timeout_s)
    except ConnectionError as exc:
        raise SystemExit(str(exc)) from None
    print(response.status)
    print(json.dumps(response.payload, indent=2))
    return 0 if response.ok else 1
