"""A module's whole desired document, rebuilt from the patches its transport delivers.

A module's configuration is computed from the *whole* desired document (its
writable properties, over the defaults from settings), never from a patch
applied to whatever happened to be in force: after a refused document, the next
valid one applies every property as the document states it. An object-valued
property merges as IoT Hub merges desired patches (JSON merge patch, at every level). Unknown keys are
acknowledged 400 once, in the reported patch answering the document that
brought them, and leave the reported document with the next one, so junk keys
cannot pile up there; the reported document stays below
`bounds.MAX_REPORTED_BYTES` (writable properties plus at most
`MAX_REFUSED_KEYS_ACKED` refusals, keys, values and reasons cut to a bounded
number of bytes of the JSON they are written as, objects echoed whole only within
a budget per reported patch). Bytes, not characters: an emoji takes 12
(`\\ud83d\\ude00`), and 80 of them in every value took a reported patch to 72 KiB.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Collection

from . import bounded_json
from .bounds import MAX_JSON_BYTES, MAX_KEY_BYTES, MAX_REFUSED_KEYS_ACKED, MAX_SHOWN_CHARS, MAX_TWIN_VERSION
from .messages import pnp_ack
from .shown import cut_json, json_size, shown
from .twin_patch import merge_patch
from .status import Status

log = logging.getLogger(__name__)

APPLIED = "applied"
# In bytes of JSON as the standard library writes it (shown.json_size: \u-escaped, the longest spelling of any transport)
MAX_ECHOED_STR_BYTES = 64  # a desired string echoed in an ack's value is cut to this
MAX_ECHOED_OBJECT_BYTES = 640  # an object (an hourly profile) or array is echoed whole up to this much JSON, else cut
MAX_ECHOED_OBJECTS_BYTES = 4096  # ... while the objects and arrays echoed whole in one reported patch stay within this
MAX_ACK_REASON_BYTES = MAX_SHOWN_CHARS  # an ack's reason (`ad`) is cut to this


@dataclass(frozen=True, slots=True)
class DesiredUpdate:
    """What one delivered patch means: the document's writable properties now, and keys to refuse."""

    version: int
    writable: dict[str, Any]  # every writable property the whole document holds (deleted ones left out)
    deleted: tuple[str, ...]  # writable properties this patch deleted (their acks leave the reported document)
    unknown: dict[str, Any] = field(default_factory=dict)  # keys this patch brought that no one can write


class DesiredDocument:
    """Tracks one module's desired document and builds the PnP reported patches that answer it."""

    def __init__(self, writable: Collection[str], malformed_total: Counter[str] | None = None) -> None:
        """`malformed_total`: where documents refused unread are counted by rule ("twin.depth"); a module's
        own counter of malformed input, or a new one."""
        self.writable = frozenset(writable)
        self.version: int | None = None  # $version of the last document taken (valid or not)
        self.properties: dict[str, Any] = {}  # the writable properties of the whole document
        self.malformed_total: Counter[str] = Counter() if malformed_total is None else malformed_total
        self._refused_acked: tuple[str, ...] = ()  # unknown keys acknowledged by the last reported patch

    def take(self, patch: Any) -> DesiredUpdate | None:
        """Merge a patch (or a whole document); None for a replay, an older $version, or a malformed one.

        A replay of the version taken is ignored; an older one is counted as `twin.version_older`."""
        try:
            bounded_json.dumps(patch)  # within the ports' size and depth limits, whatever the transport
        except (TypeError, ValueError) as exc:
            if not isinstance(exc, bounded_json.JsonLimitExceeded):
                return self._malformed("twin.json", f"not JSON: {shown(exc)}")
            return self._malformed(f"twin.{exc.limit}", exc.reason)
        if not isinstance(patch, dict):
            return self._malformed("twin.json", f"expected a JSON object, got {type(patch).__name__}")
        version = patch.get("$version", 0)
        if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= MAX_TWIN_VERSION:
            return self._malformed("twin.version", f"$version must be an integer in 0..{MAX_TWIN_VERSION} "
                                                   f"(IoT Hub's int64), got {shown(version)}")
        if self.version is not None and version < self.version:  # went backwards: counted, never taken
            return self._malformed("twin.version_older", f"$version {version} is older than {self.version}, "
                                                         f"already taken")
        if version == self.version:
            log.info("desired $version %d ignored: already taken", version)  # a replay (reconnect, SDK retry)
            return None
        self.version = version
        changes = {key: value for key, value in patch.items() if not key.startswith("$")}
        deleted = tuple(key for key, value in changes.items() if key in self.writable and value is None)
        self.properties = merge_patch(self.properties, {key: value for key, value in changes.items()
                                                        if key in self.writable})  # null deletes
        unknown = {key: value for key, value in changes.items() if key not in self.writable and value is not None}
        return DesiredUpdate(version, dict(self.properties), deleted, unknown)

    def reported_patch(self, update: DesiredUpdate, refusal: tuple[str, str] | None = None) -> dict[str, Any]:
        """The acks answering `update`: 200 "applied" for every writable property, or 400 with the
        (rule, reason) of `refusal`; 400 for each unknown key (bounded); the last refusals removed."""
        version = update.version
        echo = _Echo()
        patch: dict[str, Any] = {key: None for key in self._refused_acked}
        patch.update({key: None for key in update.deleted})
        for name, value in update.writable.items():
            if refusal is None:
                patch[name] = pnp_ack(echo(value), Status.OK, version, APPLIED)
            else:
                rule, reason = refusal
                said = reason if rule == name or rule.endswith("." + name) else f"not applied: {rule}: {reason}"
                patch[name] = pnp_ack(echo(value), Status.BAD_REQUEST, version, cut_json(said, MAX_ACK_REASON_BYTES))
        acked = [key for key in update.unknown if json_size(key) <= MAX_KEY_BYTES][:MAX_REFUSED_KEYS_ACKED]
        allowed = ", ".join(sorted(self.writable))
        for key in acked:
            patch[key] = pnp_ack(echo(update.unknown[key]), Status.BAD_REQUEST, version,
                                 cut_json(f"unknown property (writable: {allowed})", 2 * MAX_ACK_REASON_BYTES))
        if len(acked) < len(update.unknown):
            log.warning("desired $version %d: %d unknown properties not acknowledged one by one: %s", version,
                        len(update.unknown) - len(acked), shown(sorted(set(update.unknown) - set(acked))))
        self._refused_acked = tuple(acked)
        return patch

    def stale_keys_patch(self, reported: dict[str, Any]) -> dict[str, Any]:
        """Deletes for reported keys no one can write (junk acknowledged by an older release, kept retained)."""
        return {key: None for key in reported if not key.startswith("$") and key not in self.writable}

    def _malformed(self, rule: str, reason: str) -> None:
        self.malformed_total[rule] += 1
        log.warning("desired document refused unread (%s): %s", rule, reason)
        return None


class _Echo:
    """Desired values as the acks of one reported patch echo them, as the JSON they came as: numbers, booleans
    and null as they are, a string cut short, an object or array whole while its JSON is within
    `MAX_ECHOED_OBJECT_BYTES` and the patch's within `MAX_ECHOED_OBJECTS_BYTES` (the writable properties
    first: 33 of 640 bytes took 36 KiB), else its JSON text cut short (`[0,1,2,…(+1326 chars)`; never
    Python's text of it, `[True, None]`); every size in bytes of the JSON written (`shown.json_size`)."""

    def __init__(self) -> None:
        self.room = MAX_ECHOED_OBJECTS_BYTES

    def __call__(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, int)) or (isinstance(value, float) and math.isfinite(value)):
            return value
        if isinstance(value, str):
            return cut_json(value, MAX_ECHOED_STR_BYTES)
        try:
            text = bounded_json.dumps(value)
        except (TypeError, ValueError):  # no JSON at all (a NaN): only an in-process transport carries one
            return cut_json(shown(value, MAX_JSON_BYTES), MAX_ECHOED_STR_BYTES)  # its repr, cut once
        size = len(text.encode())  # its bytes as written: dumps writes ASCII, any other character \\u-escaped
        if size <= min(MAX_ECHOED_OBJECT_BYTES, self.room):
            self.room -= size
            return bounded_json.loads(text)  # the JSON value itself (an in-process tuple as the array it stands for)
        return cut_json(text, MAX_ECHOED_STR_BYTES)
