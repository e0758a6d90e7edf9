"""Print the docker-compose file of a site: Mosquitto plus one service per module, from one image.

The shipped deployment/docker-compose.yml is this command's output:

  .venv/bin/energy-edge compose > deployment/docker-compose.yml

With --site FILE the services follow that site file (one service and one broker
user per asset; every module reads the file, mounted read-only); without it, the
home site (solar, battery, boiler) from the EE_* settings. Then
deployment/generate-secrets.sh writes a password for every broker user the file
names (deployment/.env) and the broker's TLS files.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from ...domain.errors import ConfigurationError
from ...domain.topology import ASSET_MODULES
from ..compose_file import render_compose


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("compose", help="print the docker-compose file of the site", description=__doc__)
    parser.add_argument("--site", type=Path, default=None, help="the site file (default: the home site)")
    parser.add_argument("--compose-dir", type=Path, default=Path("deployment"),
                        help="where the compose file will live, to mount the site file from (default deployment)")
    parser.set_defaults(func=run)


def home_assets() -> list[tuple[str, str]]:
    """Today's site: one asset of each kind, named after it."""
    return [(module_id, module_id) for module_id in ASSET_MODULES]


def site_assets(path: Path) -> list[tuple[str, str]]:
    """(id, kind) of every asset in a site file."""
    try:
        site_file = importlib.import_module("energy_edge.adapters.site_file")
    except ImportError:
        raise ConfigurationError("--site: this version reads no site files yet; leave --site out") from None
    return [(asset.id, asset.kind) for asset in site_file.load_site(path).assets]


def run(args: argparse.Namespace) -> int:
    if args.site is None:
        sys.stdout.write(render_compose(home_assets()))
        return 0
    mount = os.path.relpath(args.site.resolve(), args.compose_dir.resolve())
    sys.stdout.write(render_compose(site_assets(args.site), command=f"energy-edge compose --site {args.site}",
                                    site_file=mount))
    return 0
