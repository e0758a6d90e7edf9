"""The `energy-edge` subcommands, one module each.

Each module exposes `register(subparsers)`, which adds its parser and sets
`func` (a callable taking the parsed args and returning an exit code).
Add a new command by listing its module name in `COMMANDS`.
"""

COMMANDS: tuple[str, ...] = (
    "up",
    "site",
    "edge",
    "modbus_sim",
    "call",
    "twin",
    "status",
    "compose",
    "moved_to_lab",
)
