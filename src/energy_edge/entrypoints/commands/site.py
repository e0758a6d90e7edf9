"""`energy-edge site check FILE`: validate a site file and show what it deploys.

Exit 0 with one line per module; exit 2 with one sentence naming the file, the
asset and the field when the file cannot be used (docs/site-file.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...adapters.site_file import load_site
from ...domain.site import SOLAR, all_modules, kinds, routes_for


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("site", help="site file tools", description=__doc__)
    site = parser.add_subparsers(dest="site_command", required=True, metavar="SITE_COMMAND")
    check = site.add_parser("check", help="validate a site file and list its modules", description=__doc__)
    check.add_argument("file", type=Path, help="the site file (site.toml)")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    site = load_site(args.file)
    by_kind = kinds(site)
    print(f"{args.file}: site {site.name!r}, {len(site.assets)} assets, {len(routes_for(site))} routes, "
          f"grid import <= {site.grid.import_limit_w:g} W, export <= {site.grid.export_limit_w:g} W")
    for module in all_modules(site):
        hardware = site.asset(module).hardware if module in site.asset_ids else None
        where = "" if hardware is None else (
            " simulated" if hardware.type == "simulated" else f" modbus {hardware.host}:{hardware.port} "
            f"unit {hardware.unit_id} {hardware.profile}")  # type: ignore[union-attr]
        spec = site.asset(module) if module in site.asset_ids else None
        plane = None if spec is None or spec.kind != SOLAR else spec.plane
        facing = "" if spec is None or spec.kind != SOLAR else (
            ", plane: the twin's" if plane is None else f", plane tilt {plane[0]:g}° azimuth {plane[1]:g}°")
        print(f"  {module:<24} {by_kind[module]:<10}{where}{facing}")
    return 0
