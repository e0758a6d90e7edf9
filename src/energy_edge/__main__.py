"""`python -m energy_edge` is the `energy-edge` CLI."""

import sys

from .entrypoints.cli import main

sys.exit(main())
