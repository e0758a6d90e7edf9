"""Set desired twin properties on a module of a running MQTT site and show its acknowledgement.

Each value is JSON when it parses as JSON (soc_min=0.2, enabled=true), else a
string; key=null deletes a property; numbers must be finite. Prints the Plug and
Play acknowledgement of each property (ac: status, av: version, ad: description),
and "deleted" for a deleted one once it has left the reported document (a deleted
property has no acknowledgement).
Exit status 0 when every property is acknowledged with 200 (a deleted one: has left), 1 when one is refused
or none arrives within --timeout, 2 when the site cannot be reached or the
arguments are wrong. Example:

  energy-edge twin controller grid_target_w=500 export_limit_w=8000

Broker and credentials: as for `energy-edge call` (see its --help).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from ...domain.bounds import MAX_JSON_DEPTH
from ...domain.shown import cut, shown
from ..cli_types import NestedTooDeep, RepeatedKey, json_value
from ..operator_client import connected_operator, site_modules, unknown_module
from .call import add_site_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("twin", help="set desired twin properties on a module of a running MQTT site",
                                   description=__doc__)
    parser.add_argument("module", help="module id, e.g. controller")
    parser.add_argument("properties", nargs="+", metavar="key=value", type=twin_property,
                        help="desired properties")
    add_site_options(parser)
    parser.set_defaults(func=run)


def twin_property(item: str) -> tuple[str, Any]:
    """key=value: the value as JSON when it parses as JSON, else the text; numbers must be finite."""
    key, sep, text = item.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{shown(item)} is not allowed: expected key=value, e.g. grid_target_w=500")
    if key.startswith("$"):  # the transport's own ($version): set, it was overwritten and waited for in vain
        raise argparse.ArgumentTypeError(f"{shown(item)} is not allowed: {cut(key)} is the twin's own; a property "
                                         "name does not start with $")
    try:
        json.loads(text)
    except ValueError:
        return key, text
    except RecursionError:  # JSON, nested too deep to parse: json_value says so
        pass
    try:
        return key, json_value(text)
    except NestedTooDeep:
        raise argparse.ArgumentTypeError(f"{shown(item)} is not allowed: {cut(key)} is nested deeper than "
                                         f"{MAX_JSON_DEPTH} levels") from None
    except RepeatedKey as exc:
        raise argparse.ArgumentTypeError(f"{shown(item)} is not allowed: in {cut(key)}, {exc.reason}") from None
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{shown(item)} is not allowed: {cut(key)} must be a finite number") from None



def run(args: argparse.Namespace) -> int:
    return asyncio.run(_twin(args.module, dict(args.properties), args.timeout, args.site_dir))


async def _twin(module: str, patch: dict[str, Any], timeout_s: float, site_dir: Path | None) -> int:
    async with connected_operator(site_dir=site_dir) as operator:
        if (missing := await unknown_module(operator, module, site_modules())) is not None:
            print(f"404 {missing}")
            return 1
        version = await operator.set_desired(module, patch)
        # a deleted property is not acknowledged: its ack leaves the reported document (desired_document.py)
        deleted = [key for key, value in patch.items() if value is None]
        waited = [key for key in patch if key not in deleted]
        started = time.monotonic()
        acks = await operator.acknowledged(module, waited, version, timeout_s) if waited else {}
        gone = await _gone(operator, module, deleted, timeout_s - (time.monotonic() - started))
    print(f"desired $version {version}")
    for key in patch:
        if key in deleted:
            print(f"  {key}: {'deleted' if key in gone else f'still reported after {timeout_s:g} s'}")
        else:
            print(f"  {key}: {json.dumps(acks[key]) if key in acks else f'no acknowledgement within {timeout_s:g} s'}")
    return 0 if len(acks) == len(waited) and all(ack.get("ac") == 200 for ack in acks.values()) \
        and len(gone) == len(deleted) else 1


async def _gone(operator: Any, module: str, keys: list[str], timeout_s: float) -> set[str]:
    """The deleted keys no longer in the module's reported document, waiting up to `timeout_s` for them to leave."""
    deadline = time.monotonic() + timeout_s
    while True:
        reported = operator.reported_docs.get(module, {})
        gone = {key for key in keys if key not in reported}
        if len(gone) == len(keys) or time.monotonic() > deadline:
            return gone
        await asyncio.sleep(0.02)
