"""Direct-method status codes, the same on every transport (IoT Edge semantics)."""

from enum import IntEnum


class Status(IntEnum):
    OK = 200
    BAD_REQUEST = 400  # malformed or out-of-range payload
    FORBIDDEN = 403  # the caller may not invoke this module's methods (domain/method_access.py)
    NOT_FOUND = 404  # no such method, or no such module
    CONFLICT = 409  # not allowed in the asset's current state
    TIMEOUT = 504  # the target did not answer in time
    INTERNAL = 500  # a handler bug; the module keeps running
