"""Print the docker-compose file of a site: Mosquitto plus one service per module, from one image.

The shipped deployment/docker-compose.yml is this command's output for the home site:

  .venv/bin/energy-edge compose --site examples/sites/home.toml > deployment/docker-compose.yml

With --site FILE the services follow that site file (one service and one broker
user per asset; every module reads the file, mounted read-only); without it, the
home site (solar, battery, boiler) from the EE_* settings. Then
deployment/generate-secrets.sh writes a password for every broker user the file
names (deployment/.env) and the broker's TLS files.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ...adapters.site_file import load_site
from ...domain.site import Site, home_site
from ...domain.topology import CONTROLLER, TELEMETRY
from ..compose_file import render_compose
from ..compose_observability import observability
from ..factories import served_assets


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("compose", help="print the docker-compose file of the site", description=__doc__)
    parser.add_argument("--site", type=Path, default=None, help="the site file (default: the home site)")
    parser.add_argument("--compose-dir", type=Path, default=Path("deployment"),
                        help="where the compose file will live, to mount the site file from (default deployment)")
    parser.set_defaults(func=run)


def site_assets(site: Site) -> list[tuple[str, str]]:
    """(id, kind) of every asset this build runs a module for (a grid meter is read by the controller)."""
    return [(spec.id, spec.kind) for spec in served_assets(site)]


def home_assets() -> list[tuple[str, str]]:
    """Today's site without a file: one asset of each kind, named after it."""
    return site_assets(home_site())


def _observability(assets: list[tuple[str, str]]) -> dict:
    """Prometheus (scraping exactly these modules) and Grafana beside the site."""
    return observability([CONTROLLER, TELEMETRY, *(module_id for module_id, _ in assets)])


def run(args: argparse.Namespace) -> int:
    if args.site is None:
        sys.stdout.write(render_compose(home_assets(), **_observability(home_assets())))
        return 0
    mount = os.path.relpath(args.site.resolve(), args.compose_dir.resolve())
    assets = site_assets(load_site(args.site))
    sys.stdout.write(render_compose(assets, command=f"energy-edge compose --site {args.site}", site_file=mount,
                                    **_observability(assets)))
    return 0
