"""Nornir integration: the connection plugin ``netkeep`` and its tasks.

``pip install .[nornir]`` registers the plugin (entry point ``nornir.plugins.connections``).
It opens netkeep sessions from Nornir's inventory: ``hostname``, ``port``, ``username``,
``password`` and ``platform`` (NAPALM names mapped as nornir_netmiko maps them: ``ios`` →
``cisco_ios``, ...); the connection options' ``extras`` are passed to ``ConnectHandler``
(``secret``, ``conn_timeout``, ``session_log``, ...). With ``extras: {daemon: true}`` the plugin
uses the warm session of ``netkeep serve`` for the host of the same name instead of logging in
(``socket``/``url``/``token_file`` in extras pick the daemon).

>>> from nornir import InitNornir                                              # doctest: +SKIP
>>> from netkeep.nornir import netkeep_send_command                            # doctest: +SKIP
>>> nr = InitNornir(inventory={"plugin": "SimpleInventory", "options": {...}}) # doctest: +SKIP
>>> nr.run(task=netkeep_send_command, command_string="show version", use_textfsm=True)  # doctest: +SKIP
"""

from typing import Any, Dict, List, Optional, Sequence

from nornir.core.configuration import Config
from nornir.core.task import Result, Task

CONNECTION_NAME = "netkeep"

# NAPALM platform names to Netmiko device types, as nornir_netmiko maps them.
NAPALM_TO_NETMIKO = {
    "ios": "cisco_ios",
    "nxos": "cisco_nxos",
    "nxos_ssh": "cisco_nxos",
    "eos": "arista_eos",
    "junos": "juniper_junos",
    "iosxr": "cisco_xr",
}

# Extras that choose the daemon rather than a direct session.
_DAEMON_KEYS = ("socket", "url", "token", "token_file", "ca_file", "client_cert", "client_key")


class Netkeep:
    """The connection plugin: ``self.connection`` is a ``NetkeepConnection`` (a direct session)
    or a ``DaemonConnection`` (the daemon's warm session)."""

    connection: Any

    def open(
        self,
        hostname: Optional[str],
        username: Optional[str],
        password: Optional[str],
        port: Optional[int],
        platform: Optional[str],
        extras: Optional[Dict[str, Any]] = None,
        configuration: Optional[Config] = None,
    ) -> None:
        extras = dict(extras or {})
        if extras.pop("daemon", False):
            from .client import Client

            name = extras.pop("device", None) or self._host_name(hostname)
            daemon = {k: extras.pop(k) for k in _DAEMON_KEYS if k in extras}
            self.connection = Client(**daemon).connection(name)
            return
        from .connection import ConnectHandler

        params: Dict[str, Any] = {"host": hostname, "username": username, "password": password}
        if port:
            params["port"] = port
        if platform:
            params["device_type"] = NAPALM_TO_NETMIKO.get(platform, platform)
        params.update(extras)
        self.connection = ConnectHandler(**params)

    def _host_name(self, hostname: Optional[str]) -> str:
        # Nornir passes the address; the task helpers below set the inventory name first.
        return getattr(self, "_inventory_name", None) or hostname or ""

    def close(self) -> None:
        self.connection.disconnect()


def _connection(task: Task) -> Any:
    """The host's netkeep connection, opened on first use (the daemon's named by the inventory
    host's name)."""
    host = task.host
    if CONNECTION_NAME not in host.connections:
        opts = host.get_connection_parameters(CONNECTION_NAME)
        plugin = Netkeep()
        plugin._inventory_name = host.name  # type: ignore[attr-defined]
        plugin.open(opts.hostname, opts.username, opts.password, opts.port, opts.platform,
                    opts.extras, task.nornir.config)
        host.connections[CONNECTION_NAME] = plugin
    return host.get_connection(CONNECTION_NAME, task.nornir.config)


def netkeep_send_command(task: Task, command_string: str, use_textfsm: bool = False,
                         enable: bool = False, **kwargs: Any) -> Result:
    """Runs one command on the host (``use_textfsm=True``: records)."""
    conn = _connection(task)
    if enable and hasattr(conn, "enable"):
        conn.enable()
    result = conn.send_command(command_string, use_textfsm=use_textfsm, **kwargs)
    return Result(host=task.host, result=result)


def netkeep_send_config(task: Task, config_commands: Optional[Sequence[str]] = None,
                        config_file: Optional[str] = None, **kwargs: Any) -> Result:
    """Runs a configuration set (lines, or a file of them) on the host; ``changed=True``."""
    conn = _connection(task)
    if config_file is not None:
        result = conn.send_config_from_file(config_file, **kwargs)
    else:
        result = conn.send_config_set(list(config_commands or []), **kwargs)
    return Result(host=task.host, result=result, changed=True)


def netkeep_save_config(task: Task, **kwargs: Any) -> Result:
    """Saves the host's running configuration."""
    conn = _connection(task)
    return Result(host=task.host, result=conn.save_config(**kwargs), changed=True)


def netkeep_commit(task: Task, **kwargs: Any) -> Result:
    """Commits the candidate configuration (Junos, IOS-XR, VRP 8)."""
    conn = _connection(task)
    return Result(host=task.host, result=conn.commit(**kwargs), changed=True)


__all__: List[str] = [
    "Netkeep",
    "CONNECTION_NAME",
    "NAPALM_TO_NETMIKO",
    "netkeep_send_command",
    "netkeep_send_config",
    "netkeep_save_config",
    "netkeep_commit",
]
