"""The offline lab: day simulations, KPIs, the perfect-foresight optimum, plots and scenarios.

A sibling of the edge package, not part of it: it drives the edge's real services
(energy_edge) on simulated hardware to judge control quality. The edge never
imports it (import-linter contract in pyproject.toml), so the module image needs
none of its dependencies (scipy, matplotlib, tqdm: the `lab` extra), which are
imported lazily inside the functions that need them.
"""
