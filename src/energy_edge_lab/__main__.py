"""`python -m energy_edge_lab`: the same as the `energy-edge-lab` console script."""

import sys

from .cli import main

sys.exit(main())
