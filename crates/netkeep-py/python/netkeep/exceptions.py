"""The exceptions netkeep raises, under the names Netmiko users already catch.

``except NetmikoTimeoutException`` around ``ConnectHandler(...)`` and ``except ReadTimeout``
around ``send_command(...)`` work unchanged. Every exception carries ``device`` (the device's
label), ``kind`` (what happened, as the daemon's API says it: ``auth``, ``unreachable``,
``timeout``, ...) and ``partial_output`` (what the device sent before the failure, or None).
Messages name the device and the step; a password never appears in them.

netkeep's own additions (``SessionLost``, ``HostKeyError``, ``UnsupportedOperation``,
``NetkeepValueError``) derive from ``NetmikoBaseException`` and from the built-in exception a
Netmiko script would otherwise see (``OSError``, ``NotImplementedError``, ``ValueError``).
"""

from typing import Optional

__all__ = [
    "NetmikoBaseException",
    "ConnectionException",
    "NetmikoTimeoutException",
    "NetMikoTimeoutException",
    "NetmikoAuthenticationException",
    "NetMikoAuthenticationException",
    "ConfigInvalidException",
    "WriteException",
    "ReadException",
    "ReadTimeout",
    "NetmikoParsingException",
    "SessionLost",
    "HostKeyError",
    "UnsupportedOperation",
    "NetkeepValueError",
    "DaemonUnavailable",
    "DaemonError",
]


class NetmikoBaseException(Exception):
    """The base of every netkeep exception (Netmiko's name for it)."""

    device: Optional[str] = None
    kind: Optional[str] = None
    partial_output: Optional[str] = None


class ConnectionException(NetmikoBaseException):
    """The connection could not be opened or used."""


class NetmikoTimeoutException(ConnectionException):
    """The device could not be reached within ``conn_timeout`` (refused, timed out, no route,
    no SSH session could be negotiated)."""


class NetmikoAuthenticationException(ConnectionException):
    """The device refused the login (or privileged mode: a missing or wrong enable secret)."""


# Netmiko's legacy spellings.
NetMikoTimeoutException = NetmikoTimeoutException
NetMikoAuthenticationException = NetmikoAuthenticationException


class ConfigInvalidException(NetmikoBaseException):
    """The device refused a configuration line or command (one of the platform's failure
    indicators, or ``error_pattern``, matched its answer)."""


class WriteException(NetmikoBaseException):
    """Writing to the session failed."""


class ReadException(NetmikoBaseException):
    """Reading from the session failed."""


class ReadTimeout(ReadException):
    """The prompt (or ``expect_string``) was not seen within ``read_timeout``. The connection
    stays usable: the abandoned command's late output is dropped, never returned by the next
    call. ``partial_output`` holds what arrived."""


class NetmikoParsingException(ReadException):
    """``raise_parsing_error=True`` and the output could not be parsed into records."""


class SessionLost(ConnectionException, OSError):
    """The session is gone (closed by the device, e.g. its idle timeout; reset; half-open; or
    closed by this program). Open a new connection."""


class HostKeyError(ConnectionException):
    """The device's host key changed (or is unknown under a strict policy): refused before any
    password was sent. The message has both fingerprints and the known_hosts line to edit."""


class UnsupportedOperation(NetmikoBaseException, NotImplementedError):
    """The platform has no such operation (``commit`` on Comware, ``save_config`` on Junos)."""


class NetkeepValueError(NetmikoBaseException, ValueError):
    """Bad input: an unknown device_type, a pattern that does not compile, an unusable key file
    or session log."""


class DaemonUnavailable(ConnectionException):
    """No ``netkeep serve`` answers at the socket or URL (start it, or check ``NETKEEP_SOCKET``)."""


class DaemonError(NetmikoBaseException):
    """The daemon refused the request (unknown device, bad input, missing scope); ``status`` is
    the HTTP status."""

    status: int = 0
