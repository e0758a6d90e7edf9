"""JSON merge patch (RFC 7386) for twin documents: how hubs apply desired and reported patches."""

from __future__ import annotations

import copy
from typing import Any


def merge_patch(document: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Return `document` with `patch` merged in; a None value deletes the key."""
    result = copy.deepcopy(document)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge_patch(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result
