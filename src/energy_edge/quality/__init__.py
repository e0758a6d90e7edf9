"""Control quality: day simulations, KPIs and the perfect-foresight optimum.

An application layer above the adapters (it assembles simulated sites and runs
the real services), below the entrypoints. Heavy scientific libraries (scipy,
matplotlib) are imported lazily inside the functions that need them, so the
edge image, installed without the `quality` extra, still imports energy_edge.
"""
