"""The `energy-edge-lab` subcommands, one module each (`register(subparsers)`, like the edge CLI's)."""

COMMANDS: tuple[str, ...] = ("simulate", "quality")
