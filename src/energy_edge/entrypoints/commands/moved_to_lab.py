"""`energy-edge simulate` and `energy-edge quality` moved to the offline lab (`energy-edge-lab`).

The edge image ships without the lab, so these names stay only to tell a user
where the commands went; they import nothing and exit 2.
"""

from __future__ import annotations

import argparse
import sys

MOVED = ("simulate", "quality")


def register(subparsers: argparse._SubParsersAction) -> None:
    for name in MOVED:
        parser = subparsers.add_parser(name, add_help=False, prefix_chars="\0")  # unlisted; takes any args
        parser.add_argument("rest", nargs="*")
        parser.set_defaults(func=lambda args, name=name: _moved(name))


def _moved(name: str) -> int:
    print(f"energy-edge {name} moved to the offline lab: run `energy-edge-lab {name}` "
          "(installed with the `lab` extra: pip install 'energy-edge[lab]'); the edge image does not ship it.",
          file=sys.stderr)
    return 2
