"""Who sent a telemetry report: the transport's authenticated identity, never the body.

`Message.source_module` is filled by the transport from what it authenticated
(the in-memory hub from the sending client, MQTT from the input topic whose
source level the ACL lets only that user publish, edgeHub from `$.cmid`, the
connection's module id). A body that names another module, a module the site
does not have, another kind than that module's, or a time ahead of the
receiver's clock is refused: one forged report must not steer or silence an
asset. Receivers count each refusal by its rule.
"""

from __future__ import annotations

from typing import Mapping

from .bounds import MAX_FUTURE_SKEW_S
from .errors import MalformedMessage
from .messages import Message
from .shown import shown
from .telemetry import AssetTelemetry, check_sender, decode_asset_telemetry


def accept_telemetry(message: Message, kinds: Mapping[str, str], now: float,
                     max_future_skew_s: float = MAX_FUTURE_SKEW_S) -> AssetTelemetry:
    """Decode a report and check it against its sender; raise `MalformedMessage` naming the rule.

    `kinds`: the site's asset modules and the kind of each (module -> kind).
    """
    source = message.source_module
    expected_kind = kinds.get(source)
    sender = None if expected_kind is None else (source, expected_kind)
    telemetry = decode_asset_telemetry(message.body, sender)  # another module or kind: refused before its fields
    if sender is None:
        raise MalformedMessage("telemetry.source", f"sender {shown(source)} is not an asset module of this site")
    check_sender(telemetry.module, telemetry.kind, *sender)  # a body the parser read whole
    if telemetry.timestamp > now + max_future_skew_s:
        raise MalformedMessage("telemetry.timestamp", f"{telemetry.timestamp} is {telemetry.timestamp - now:.0f} s "
                                                      f"ahead of this clock (at most {max_future_skew_s:g} s allowed)")
    return telemetry
