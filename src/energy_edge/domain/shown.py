"""How a received value appears in a log line or an error sentence: cut to a bounded length.

A refused 300 KB value used to be echoed whole into every log line and 400
answer about it. Everything that shows a value from outside goes through
`shown` (its repr) or `cut` (text as is), so a line stays short whatever was sent.
Text that goes back out in a JSON document (a twin acknowledgement) is cut by
`cut_json`, to the bytes its JSON takes: a character beyond ASCII takes up to 12
(an emoji as `\\ud83d\\ude00`), so a cut by characters bounded nothing in bytes.
"""

from __future__ import annotations

import json

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


def json_size(text: str) -> int:
    """The bytes `text` takes inside a JSON string as the standard library writes it, every character beyond ASCII
    escaped (`\\u00e9`: 6, an emoji `\\ud83d\\ude00`: 12, a control character up to 6): the longest spelling any
    transport writes (the MQTT transport and the Azure IoT SDK write this one; UTF-8 never takes more bytes)."""
    return len(json.dumps(text)) - 2


def cut_json(text: str, max_bytes: int) -> str:
    """`text` as is when its JSON takes at most `max_bytes` (`json_size`), else as `cut` leaves it, the characters
    kept taking at most `max_bytes` of JSON, then the note of how many more there were (some 20 bytes)."""
    if len(text) <= max_bytes // 12 or json_size(text) <= max_bytes:  # (no character takes more than 12)
        return text
    kept, over = 0, min(len(text), max_bytes + 1)  # each character takes at least a byte
    while over - kept > 1:  # the longest prefix within max_bytes: json_size grows with every character added
        middle = (kept + over) // 2
        kept, over = (middle, over) if json_size(text[:middle]) <= max_bytes else (kept, middle)
    return f"{text[:kept]}…(+{len(text) - kept} chars)"
