"""netkeep for Python: Netmiko's API on netkeep's sessions, a client for ``netkeep serve``, and
a Nornir connection plugin.

>>> from netkeep import ConnectHandler          # was: from netmiko import ConnectHandler
>>> from netkeep import Client                  # a warm session from the daemon, in ms

``import netkeep`` loads only what it needs: the native module is imported on first use of
``ConnectHandler``, so a script that only talks to the daemon starts quickly.
"""

from typing import Any

from .client import Client, DaemonConnection
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
    # NetkeepConnection lives beside the native module: imported when first asked for.
    if name == "NetkeepConnection":
        from .connection import NetkeepConnection

        return NetkeepConnection
    raise AttributeError(f"module 'netkeep' has no attribute {name!r}")
