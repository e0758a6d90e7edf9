"""Print the docker-compose file of a site: Mosquitto plus one service per module, from one image.

The shipped deployment/docker-compose.yml is this command's output for the home
site (solar, battery, boiler):

  .venv/bin/energy-edge compose > deployment/docker-compose.yml

Then deployment/generate-secrets.sh writes a password for every broker user the
file names (deployment/.env) and the broker's TLS files.
"""

from __future__ import annotations

import argparse
import sys

from ...domain.topology import ASSET_MODULES
from ..compose_file import render_compose


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("compose", help="print the docker-compose file of the site", description=__doc__)
    parser.set_defaults(func=run)


def home_assets() -> list[tuple[str, str]]:
    """Today's site: one asset of each kind, named after it."""
    return [(module_id, module_id) for module_id in ASSET_MODULES]


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(render_compose(home_assets()))
    return 0
