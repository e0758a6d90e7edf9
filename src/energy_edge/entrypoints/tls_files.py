"""A certificate file and its private key, read at start as a TLS context will read them.

The broker connection (EE_MQTT_TLS_*) and the web endpoint (EE_WEB_TLS_*) both
load a certificate chain. A file that is missing, a folder, holds no PEM, or a
key that is not the certificate's or is encrypted is refused here, naming the
variable and the value, not as an OSError or SSLError when the first connection
comes. OpenSSL would prompt on a terminal for an encrypted key's passphrase,
which blocks a module that has none: a callback that refuses stands in for it.
"""

from __future__ import annotations

import os
import ssl
import stat

from ..domain.errors import ConfigurationError
from ..domain.shown import cut


def regular_file(path: str, allowed: str) -> None:
    """A regular file that can be read: a folder, a missing file or a FIFO (whose open would wait for a writer,
    forever) is refused with the OS's words and what is allowed."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            with open(path, "rb"):
                pass
    except OSError as exc:
        raise ValueError(f"{(exc.strerror or str(exc)).lower()}: {allowed}") from None
    except ValueError:  # a NUL in the path
        raise ValueError(f"not a file name: {allowed}") from None
    if stat.S_ISDIR(mode):
        raise ValueError(f"is a directory: {allowed}")
    if not stat.S_ISREG(mode):
        raise ValueError(f"not a regular file: {allowed}")


def certificates(path: str, allowed: str, none_found: str) -> str:
    """`path` read as the TLS connection will read it, with at least one PEM certificate in it."""
    regular_file(path, allowed)
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except ssl.SSLError:
        raise ValueError(f"{none_found}: {allowed}") from None
    except OSError as exc:
        raise ValueError(f"{(exc.strerror or str(exc)).lower()}: {allowed}") from None
    return path


def check_key_pair(cert: tuple[str, str], key: tuple[str, str | None], key_allowed: str) -> None:
    """The certificate (variable, path) loads with its key (variable, path or None: in the certificate's file);
    else a ConfigurationError naming the variable at fault. `key_allowed` says what the key file must be."""
    (cert_variable, cert_path), (key_variable, key_path) = cert, key
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(cert_path, key_path or None,
                                                                password=_refuse_passphrase)
    except _EncryptedKey:
        variable, value = (key_variable, key_path) if key_path else (cert_variable, cert_path)
        raise ConfigurationError(
            f"{variable}={cut(value)} is not allowed: the key is encrypted; a module cannot ask for its "
            "passphrase, so give it the key without one (openssl pkey -in KEY -out PLAIN), readable only by "
            "the module's user") from None
    except ssl.SSLError as exc:
        if exc.reason == "KEY_VALUES_MISMATCH":
            raise ConfigurationError(
                f"{key_variable}={cut(key_path or '')} is not allowed: it is not the private key of "
                f"{cert_variable}={cut(cert_path)}; give the key the certificate was issued for") from None
        if key_path:
            raise ConfigurationError(
                f"{key_variable}={cut(key_path)} is not allowed: it holds no PEM private key; {key_allowed}") from None
        raise ConfigurationError(
            f"{cert_variable}={cut(cert_path)} is not allowed: it holds no private key, and "
            f"{key_variable} is unset; set {key_variable} to the key, or put the key in "
            "the certificate's file") from None
    except OSError as exc:  # the file went away between the checks and here
        raise ConfigurationError(
            f"{cert_variable}={cut(cert_path)} or {key_variable}={cut(key_path or '')} cannot be read: "
            f"{(exc.strerror or str(exc)).lower()}") from None


class _EncryptedKey(Exception):
    """Raised by the password callback: the key asks for a passphrase, which no one is there to give."""


def _refuse_passphrase() -> bytes:
    raise _EncryptedKey
