"""Write the Azure IoT Edge deployment manifest for a container registry and an image tag.

With --site FILE the manifest deploys that site: one module per asset (named
by its id, energy-edge-module with EE_ASSET_ID), the controller and the
telemetry module, all reading the site file bind-mounted from the device, and
the site's routes. Without it, the template's home site as it is.

The template's ${ACR_LOGIN_SERVER} and ${IMAGE_TAG} come from --registry and
--tag; the pull credentials ${ACR_PULL_USERNAME} and ${ACR_PULL_PASSWORD} from
the environment, as the AzureIoTEdge@2 pipeline task fills them. The manifest
holds that password: it is written readable by you only (mode 600), and never
to a path git would track (config/ is git-ignored). Deploy it with
`az iot edge set-modules --content config/deployment.json ...`.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from ...adapters.site_file import load_site
from ..edge_manifest import ManifestError, generate_file, tracked_by_git
from ..site_manifest import DEVICE_SITE_FILE, site_template


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("edge", help="Azure IoT Edge deployment tools",
                                   description="Azure IoT Edge deployment tools: genconfig writes the deployment manifest.")
    edge = parser.add_subparsers(dest="edge_command", required=True, metavar="EDGE_COMMAND")
    gen = edge.add_parser("genconfig", help="write the deployment manifest for a registry and tag", description=__doc__)
    gen.add_argument("--template", type=Path, default=Path("deployment/deployment.template.json"),
                     help="deployment template (default: deployment/deployment.template.json)")
    gen.add_argument("--registry", required=True, help="container registry login server, e.g. myacr.azurecr.io")
    gen.add_argument("--tag", required=True, help="image tag of energy-edge to deploy")
    gen.add_argument("--output", "-o", type=Path, default=Path("config/deployment.json"),
                     help="where to write the manifest (default: config/deployment.json)")
    gen.add_argument("--site", type=Path, default=None, help="deploy this site file (default: the template's home site)")
    gen.add_argument("--device-site-file", default=DEVICE_SITE_FILE,
                     help=f"where the site file is on the device, mounted into every module (default {DEVICE_SITE_FILE})")
    gen.set_defaults(func=genconfig)


def genconfig(args: argparse.Namespace) -> int:
    variables = {**os.environ, "ACR_LOGIN_SERVER": args.registry, "IMAGE_TAG": args.tag}
    if tracked_by_git(args.output):
        print(f"energy-edge edge genconfig: {args.output} would be tracked by git and the manifest holds the registry "
              "password: write it under config/ (git-ignored), or git-ignore that path", file=sys.stderr)
        return 2
    prepare = None
    if args.site is not None:
        prepare = functools.partial(site_template, site=load_site(args.site), device_site_file=args.device_site_file)
    try:
        manifest = generate_file(args.template, args.output, variables, prepare)
    except ManifestError as exc:
        print(f"energy-edge edge genconfig: {exc}", file=sys.stderr)
        return 2
    modules = manifest["modulesContent"]["$edgeAgent"]["properties.desired"]["modules"]
    print(f"wrote {args.output}: {len(modules)} modules, image tag {args.tag}")
    return 0
