"""How a received value appears in a log line or an error sentence: cut to a bounded length.

A refused 300 KB value used to be echoed whole into every log line and 400
answer about it. Everything that shows a value from outside goes through
`shown` (its repr) or `cut` (text as is), so a line stays short whatever was sent.
"""

from __future__ import annotations

from .bounds import MAX_SHOWN_CHARS


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """`repr(value)`, at most `limit` characters, saying how much was cut."""
    try:
        return cut(repr(value), limit)
    except RecursionError:  # a structure nested too deep even to print
        return f"<{type(value).__name__} nested too deep to show>"


def cut(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """`text` as is when short, else its first `limit` characters and how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…(+{len(text) - limit} chars)"
