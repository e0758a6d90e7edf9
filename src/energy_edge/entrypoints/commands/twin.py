"""`energy-edge twin MODULE key=value ...`: set desired properties and show the module's acknowledgement.

Values are JSON when they parse as JSON (`soc_min=0.2`, `enabled=true`),
else strings; `key=null` deletes a property. Prints the Plug and Play
acknowledgement of each property (`ac`, `av`, `ad`); exits 0 when every one
is 200, 1 when one is refused or none arrives within --timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from ..operator_client import connected_operator


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("twin", help="set desired twin properties on a running MQTT site",
                                   description=__doc__)
    parser.add_argument("module", help="module id, e.g. controller")
    parser.add_argument("properties", nargs="+", metavar="key=value", help="desired properties")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the acknowledgement")
    parser.set_defaults(func=run)


def parse_properties(items: list[str]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"expected key=value, got {item!r}")
        try:
            patch[key] = json.loads(text)
        except ValueError:
            patch[key] = text
    return patch


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_twin(args.module, parse_properties(args.properties), args.timeout))


async def _twin(module: str, patch: dict[str, Any], timeout_s: float) -> int:
    try:
        async with connected_operator() as operator:
            version = await operator.set_desired(module, patch)
            acks = await operator.acknowledged(module, list(patch), version, timeout_s)
    except ConnectionError as exc:
        raise SystemExit(str(exc)) from None
    print(f"desired $version {version}")
    for key in patch:
        print(f"  {key}: {json.dumps(acks[key]) if key in acks else f'no acknowledgement within {timeout_s} s'}")
    return 0 if len(acks) == len(patch) and all(ack.get("ac") == 200 for ack in acks.values()) else 1
