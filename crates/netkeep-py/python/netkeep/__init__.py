"""netkeep for Python: Netmiko's API on netkeep's sessions, a client for ``netkeep serve``, and
a Nornir connection plugin.

>>> from netkeep import ConnectHandler          # was: from netmiko import ConnectHandler
>>> from netkeep import Client                  # a warm session from the daemon, in ms

``import netkeep`` loads only the exceptions: the native module is imported on first use of
``ConnectHandler``, the daemon client (socket, json) on first use of ``Client``, so a fresh
process pays only for what it uses.
"""

from typing import TYPE_CHECKING, Any

from .exceptions import (
    ConfigInvalidException,
    ConnectionException,
    DaemonError,
    DaemonUnavailable,
    HostKeyError,
    NetkeepValueError,
    NetmikoAuthenticationException,
    NetMikoAuthenticationException,
    NetmikoBaseException,
    NetmikoParsingException,
    NetmikoTimeoutException,
    NetMikoTimeoutException,
    ReadException,
    ReadTimeout,
    SessionLost,
    UnsupportedOperation,
    WriteException,
)

if TYPE_CHECKING:
    from .client import Client, DaemonConnection
    from .connection import NetkeepConnection

__version__ = "0.1.0"

__all__ = [
    "ConnectHandler",
    "NetkeepConnection",
    "Client",
    "DaemonConnection",
    "ConfigInvalidException",
    "ConnectionException",
    "DaemonError",
    "DaemonUnavailable",
    "HostKeyError",
    "NetkeepValueError",
    "NetmikoAuthenticationException",
    "NetMikoAuthenticationException",
    "NetmikoBaseException",
    "NetmikoParsingException",
    "NetmikoTimeoutException",
    "NetMikoTimeoutException",
    "ReadException",
    "ReadTimeout",
    "SessionLost",
    "UnsupportedOperation",
    "WriteException",
]


def ConnectHandler(**kwargs: Any) -> Any:  # noqa: N802 (Netmiko's name)
    """Opens a connection from Netmiko's keyword arguments; see ``netkeep.connection``."""
    from .connection import ConnectHandler as connect

    return connect(**kwargs)


def __getattr__(name: str) -> Any:
    # Imported when first asked for: NetkeepConnection loads the native module, Client and
    # DaemonConnection the socket and json modules.
    if name == "NetkeepConnection":
        from .connection import NetkeepConnection

        return NetkeepConnection
    if name in ("Client", "DaemonConnection"):
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module 'netkeep' has no attribute {name!r}")
