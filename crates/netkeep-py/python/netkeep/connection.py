"""``ConnectHandler``: a netkeep session behind Netmiko's keyword arguments and methods.

Swap ``from netmiko import ConnectHandler`` for ``from netkeep import ConnectHandler`` and a
script runs unchanged. Arguments that mean nothing for netkeep are accepted and ignored (see
``IGNORED``).

``ssh_config_file`` (an OpenSSH client configuration, ``~`` expanded) is read as OpenSSH reads
it, and only when given (as in Netmiko): ``host`` is looked up there, and its ``HostName`` is the
address connected to; ``Port`` and ``User`` apply where ``port``/``username`` are not given;
``IdentityFile``/``IdentityAgent`` (and ``SSH_AUTH_SOCK``) log in when no ``password`` or
``key_file`` is given; ``ProxyJump`` (several hops) and ``ProxyCommand`` are the route;
``StrictHostKeyChecking``, ``UserKnownHostsFile`` and ``ConnectTimeout`` apply where
``host_key_policy``, ``known_hosts_file`` and ``conn_timeout`` are not given; ``ServerAlive*``
and the algorithm lines apply too. A file that does not exist is skipped with a warning (as
Netmiko skips it); one that cannot be read or parsed raises ``NetkeepValueError`` (a
``ValueError``) naming the file and line. Telnet device types do not
use the file, and refuse a host whose entry has a ProxyJump/ProxyCommand (those forward SSH).
"""

import os
import re
import threading
import warnings
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from . import _native
from .exceptions import ConfigInvalidException, NetmikoParsingException

# Netmiko keyword arguments that netkeep accepts and ignores: they tune Netmiko's own read loop
# or paramiko, which netkeep does not have (its reads end at the prompt, not after a delay).
IGNORED = frozenset(
    {
        "verbose", "global_delay_factor", "global_cmd_verify", "pkey", "disabled_algorithms",
        "allow_agent", "ssh_strict", "system_host_keys", "alt_host_keys", "alt_key_file",
        "blocking_timeout", "timeout", "session_timeout", "default_enter", "response_return",
        "serial_settings", "fast_cli", "_legacy_mode", "session_log_record_writes",
        "session_log_file_mode", "allow_auto_change", "encoding", "sock", "sock_telnet",
        "delay_factor_compat", "disable_lf_normalization",
    }
)

_KNOWN = IGNORED | {
    "ip", "host", "username", "password", "secret", "port", "device_type", "use_keys",
    "key_file", "passphrase", "conn_timeout", "auth_timeout", "banner_timeout",
    "read_timeout_override", "keepalive", "session_log", "auto_connect",
    # netkeep's own
    "host_key_policy", "known_hosts_file", "idle_timeout", "keepalive_mode", "platform_dir",
    "legacy_algorithms", "device_name", "enable_at_login", "ssh_config_file",
}


def _default_key() -> Optional[str]:
    """The user's default private key, as ``use_keys=True`` without ``key_file`` expects."""
    home = os.path.expanduser("~/.ssh")
    for name in ("id_ed25519", "id_ecdsa", "id_rsa"):
        path = os.path.join(home, name)
        if os.path.exists(path):
            return path
    return None


class NetkeepConnection:
    """A connection with Netmiko's methods (see ``ConnectHandler``). Thread-safe: calls on one
    connection are serialised by the session, and every call releases the GIL while it waits."""

    def __init__(self, **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - _KNOWN)
        if unknown:
            raise TypeError(f"ConnectHandler() got unexpected keyword arguments: {', '.join(unknown)}")
        device_type = kwargs.get("device_type") or ""
        if not device_type:
            raise ValueError("ConnectHandler() needs device_type (e.g. 'cisco_ios', 'hp_comware')")
        host = kwargs.get("host") or kwargs.get("ip") or ""
        if not host:
            raise ValueError("ConnectHandler() needs host (or ip)")
        self.device_type: str = device_type
        self.host: str = host
        self.port: int = int(kwargs.get("port") or (23 if device_type.endswith("_telnet") else 22))
        self.username: str = kwargs.get("username") or ""
        self.ssh_config_file: Optional[str] = kwargs.get("ssh_config_file")
        self.read_timeout_override: Optional[float] = kwargs.get("read_timeout_override")
        self.base_prompt: str = ""
        self._kwargs = kwargs
        self._session: Optional[Any] = None
        self._lock = threading.Lock()
        if kwargs.get("auto_connect", True):
            self.establish_connection()

    # --- connecting -------------------------------------------------------------------------

    def _connect_args(self) -> Dict[str, Any]:
        k = self._kwargs
        key_file = k.get("key_file")
        if k.get("use_keys") and not key_file:
            key_file = _default_key()
        # Netmiko bounds authentication and the banner separately; netkeep bounds the whole
        # login (TCP, SSH, authentication, first prompt) once, by the largest of them. None
        # given: the ssh_config's ConnectTimeout, else 10 s.
        given = [float(k[t]) for t in ("conn_timeout", "auth_timeout", "banner_timeout") if k.get(t)]
        conn_timeout = max(given) if given else None
        ssh_config_file = k.get("ssh_config_file")
        if ssh_config_file is not None:
            ssh_config_file = os.path.expanduser(os.fspath(ssh_config_file))
            # Netmiko skips a file that does not exist; so does netkeep, but says so.
            if not os.path.exists(ssh_config_file):
                warnings.warn(f"ssh_config_file {ssh_config_file} does not exist: not used", stacklevel=4)
                ssh_config_file = None
        session_log = k.get("session_log")
        if session_log is not None and not isinstance(session_log, (str, os.PathLike)):
            name = getattr(session_log, "name", None)
            if not isinstance(name, str):
                raise TypeError("session_log must be a file path (netkeep writes and rotates the file itself)")
            session_log = name
        keepalive_mode = k.get("keepalive_mode")
        keepalive_interval = k.get("keepalive") or None
        args: Dict[str, Any] = dict(
            password=k.get("password"),
            secret=k.get("secret") or None,
            key_file=key_file if (k.get("use_keys") or k.get("key_file")) else None,
            passphrase=k.get("passphrase"),
            conn_timeout=conn_timeout,
            read_timeout=float(self.read_timeout_override or 30.0),
            keepalive=keepalive_mode,
            keepalive_interval=float(keepalive_interval) if keepalive_interval else None,
            idle_timeout=k.get("idle_timeout"),
            session_log=os.fspath(session_log) if session_log is not None else None,
            device_name=k.get("device_name"),
            host_key_policy=k.get("host_key_policy"),
            known_hosts_file=k.get("known_hosts_file"),
            enable=k.get("enable_at_login"),
            legacy_algorithms=bool(k.get("legacy_algorithms", False)),
            platform_dir=k.get("platform_dir"),
            ssh_config_file=ssh_config_file,
        )
        return args

    def establish_connection(self) -> None:
        """Connects, logs in and prepares the session (``auto_connect=False`` defers this)."""
        if self._session is not None:
            return
        # Port and username only when given: else the ssh_config's, else the defaults.
        port = int(self._kwargs["port"]) if self._kwargs.get("port") else None
        self._session = _native.NativeSession.connect(
            self.host, port, self.device_type, self.username or None, **self._connect_args()
        )
        self.base_prompt = _base_prompt(self._session.find_prompt())

    @property
    def session(self) -> Any:
        if self._session is None:
            self.establish_connection()
        return self._session

    def _timeout(self, read_timeout: Optional[float]) -> Optional[float]:
        if self.read_timeout_override:
            return float(self.read_timeout_override)
        return None if read_timeout is None else float(read_timeout)

    # --- commands ---------------------------------------------------------------------------

    def send_command(
        self,
        command_string: str,
        expect_string: Optional[str] = None,
        read_timeout: float = 10.0,
        delay_factor: Optional[float] = None,
        max_loops: Optional[int] = None,
        auto_find_prompt: bool = True,
        strip_prompt: bool = True,
        strip_command: bool = True,
        normalize: bool = True,
        use_textfsm: bool = False,
        textfsm_template: Optional[str] = None,
        use_ttp: bool = False,
        ttp_template: Optional[str] = None,
        use_genie: bool = False,
        cmd_verify: bool = True,
        raise_parsing_error: bool = False,
    ) -> Union[str, List[Dict[str, Any]]]:
        """Runs a command and returns its output without echo or prompt; reads until the prompt
        (or ``expect_string``) within ``read_timeout`` seconds, else ``ReadTimeout``.
        ``use_textfsm=True`` returns records (the raw text when no template applies, or
        ``NetmikoParsingException`` with ``raise_parsing_error=True``). ``delay_factor``,
        ``max_loops``, ``auto_find_prompt``, ``normalize``, ``cmd_verify`` are accepted; netkeep
        always reads to the prompt and normalises line ends."""
        output = self.session.send(
            command_string.rstrip("\n"),
            until=expect_string,
            read_timeout=self._timeout(read_timeout),
            strip_prompt=False,
            strip_command=strip_command,
        )
        if strip_prompt:
            output = self._strip_prompt(output)
        return self._structured(command_string, output, use_textfsm, textfsm_template, raise_parsing_error)

    def send_command_expect(self, *args: Any, **kwargs: Any) -> Union[str, List[Dict[str, Any]]]:
        """Netmiko's old name for ``send_command``."""
        return self.send_command(*args, **kwargs)

    def send_command_timing(
        self,
        command_string: str,
        last_read: float = 2.0,
        read_timeout: float = 120.0,
        delay_factor: Optional[float] = None,
        max_loops: Optional[int] = None,
        strip_prompt: bool = True,
        strip_command: bool = True,
        normalize: bool = True,
        use_textfsm: bool = False,
        textfsm_template: Optional[str] = None,
        use_ttp: bool = False,
        ttp_template: Optional[str] = None,
        use_genie: bool = False,
        cmd_verify: bool = False,
        raise_parsing_error: bool = False,
    ) -> Union[str, List[Dict[str, Any]]]:
        """Runs a command and reads until the device has been quiet for ``last_read`` seconds or
        its prompt comes back (for commands that ask questions)."""
        output = self.session.send(
            command_string.rstrip("\n"),
            quiet=float(last_read),
            read_timeout=self._timeout(read_timeout),
            strip_prompt=False,
            strip_command=strip_command,
        )
        if strip_prompt:
            output = self._strip_prompt(output)
        return self._structured(command_string, output, use_textfsm, textfsm_template, raise_parsing_error)

    def _strip_prompt(self, output: str) -> str:
        """Netmiko's prompt stripping: the last line goes if it holds the base prompt, then the
        platform's context lines above it (Junos ``[edit]``); a blank line before the prompt
        stays, as Netmiko returns it."""
        head, _, last = output.rpartition("\n")
        if not self.base_prompt or self.base_prompt not in last:
            return output
        while head:
            above, _, line = head.rpartition("\n")
            if not self.session.is_prompt_context(line):
                break
            head = above
        return head

    def _structured(
        self,
        command: str,
        output: str,
        use_textfsm: bool,
        template: Optional[str],
        raise_parsing_error: bool,
    ) -> Union[str, List[Dict[str, Any]]]:
        if not use_textfsm:
            return output
        records, why = _native.parse_output(
            self.device_type, command.strip(), output, template, _template_dir()
        )
        if records is not None:
            return records
        if raise_parsing_error:
            raise NetmikoParsingException(f"Failed to parse CLI output using TextFSM ({why})")
        return output

    def send_multiline(
        self, commands: Sequence[Union[str, Sequence[str]]], multiline: bool = True, **kwargs: Any
    ) -> str:
        """Sends commands one after the other, each read until the prompt or its own expect
        string (``[[cmd, expect], ...]``); echoes and prompts are kept unless asked otherwise."""
        if multiline:
            kwargs.setdefault("strip_prompt", False)
            kwargs.setdefault("strip_command", False)
        default_expect = kwargs.pop("expect_string", None)
        out = []
        for item in commands:
            if isinstance(item, str):
                cmd, expect = item, default_expect
            else:
                cmd, expect = item[0], (item[1] or default_expect)
            out.append(self.send_command(cmd, expect_string=expect, **kwargs))
        return "".join(str(o) for o in out)

    def send_multiline_timing(self, commands: Sequence[str], multiline: bool = True, **kwargs: Any) -> str:
        """``send_command_timing`` for each command, outputs joined."""
        if multiline:
            kwargs.setdefault("strip_prompt", False)
            kwargs.setdefault("strip_command", False)
        return "".join(str(self.send_command_timing(c, **kwargs)) for c in commands)

    # --- configuration ----------------------------------------------------------------------

    def send_config_set(
        self,
        config_commands: Union[str, Iterable[str], None] = None,
        *,
        exit_config_mode: Optional[bool] = None,
        read_timeout: Optional[float] = None,
        delay_factor: Optional[float] = None,
        max_loops: Optional[int] = None,
        strip_prompt: bool = False,
        strip_command: bool = False,
        config_mode_command: Optional[str] = None,
        cmd_verify: bool = True,
        enter_config_mode: bool = True,
        error_pattern: str = "",
        terminator: str = r"#",
        bypass_commands: Optional[str] = None,
    ) -> str:
        """Enters configuration mode, sends the lines and leaves it (two-stage platforms — Junos,
        IOS-XR, VRP 8 — stay in it for ``commit()`` unless ``exit_config_mode=True``, as in
        Netmiko). Returns the dialogue. A line the device refuses (its failure indicators, or
        ``error_pattern``) raises ``ConfigInvalidException``; the lines after it are not sent."""
        if config_commands is None:
            return ""
        if isinstance(config_commands, str):
            lines = [config_commands]
        else:
            lines = [str(c).rstrip("\n") for c in config_commands]
        lines = [line for line in lines if line.strip()]
        if not lines:
            return ""
        done = self.session.configure(
            lines, exit=exit_config_mode, read_timeout=self._timeout(read_timeout)
        )
        if error_pattern:
            for step in done["lines"]:
                if re.search(error_pattern, step["output"], flags=re.M):
                    raise ConfigInvalidException(
                        f"{self.session.device}: invalid input in configuration line {step['line']!r}: {step['output']!r}"
                    )
        return done["transcript"]

    def send_config_from_file(self, config_file: Union[str, os.PathLike], **kwargs: Any) -> str:
        """``send_config_set`` with the lines of a file."""
        with open(config_file, encoding="utf-8") as f:
            return self.send_config_set(f.read().splitlines(), **kwargs)

    def save_config(self, cmd: str = "", confirm: bool = False, confirm_response: str = "") -> str:
        """Saves the running configuration (the platform's save command, its questions
        answered)."""
        return self.session.save_config()

    def commit(
        self,
        confirm: bool = False,
        confirm_delay: Optional[int] = None,
        check: bool = False,
        comment: str = "",
        and_quit: bool = False,
        read_timeout: float = 120.0,
        delay_factor: Optional[float] = None,
    ) -> str:
        """Commits the candidate configuration (Junos, IOS-XR, VRP 8): ``confirm`` with
        ``confirm_delay`` minutes, ``comment``, or ``check`` (a dry run, then dropped)."""
        if check:
            return self.session.configure([], finish="check")["answers"]
        if confirm or comment:
            minutes = confirm_delay if confirm_delay else 10
            done = self.session.configure(
                [], finish="commit", confirm=float(minutes) * 60 if confirm else None,
                comment=comment or None,
            )
            return done["answers"]
        return self.session.commit()

    # --- modes ------------------------------------------------------------------------------

    def enable(self, cmd: str = "", pattern: str = "ssword", enable_pattern: Optional[str] = None,
               check_state: bool = True, re_flags: int = re.IGNORECASE) -> str:
        """Enters privileged mode, typing ``secret`` (else the login password) when asked."""
        self.session.enable()
        self.base_prompt = _base_prompt(self.session.find_prompt())
        return ""

    def exit_enable_mode(self, exit_command: str = "") -> str:
        """Leaves privileged mode."""
        return self.session.exit_enable_mode()

    def check_enable_mode(self, check_string: str = "") -> bool:
        """True in privileged mode (or where the platform has none)."""
        return self.session.check_enable_mode()

    def config_mode(self, config_command: str = "", pattern: str = "", re_flags: int = 0) -> str:
        """Enters configuration mode."""
        return self.session.config_mode()

    def exit_config_mode(self, exit_config: str = "", pattern: str = "") -> str:
        """Leaves configuration mode."""
        return self.session.exit_config_mode()

    def check_config_mode(self, check_string: str = "", pattern: str = "",
                          force_regex: bool = False) -> bool:
        """True in configuration mode (judged from the prompt the device shows now)."""
        return self.session.check_config_mode()

    def find_prompt(self, delay_factor: float = 1.0, pattern: Optional[str] = None) -> str:
        """The prompt the device shows now (e.g. ``<H3C>``, ``R1#``)."""
        return self.session.find_prompt()

    def set_base_prompt(self, pri_prompt_terminator: str = "", alt_prompt_terminator: str = "",
                        delay_factor: float = 1.0, pattern: Optional[str] = None) -> str:
        """The prompt without its mode decoration (``R1`` from ``R1#``, ``H3C`` from ``<H3C>``),
        remembered as ``base_prompt``."""
        self.base_prompt = _base_prompt(self.session.find_prompt())
        return self.base_prompt

    # --- the channel ------------------------------------------------------------------------

    def write_channel(self, out_data: str) -> None:
        """Writes text into the session as it is (no newline added)."""
        self.session.write_raw(out_data)

    def read_channel(self) -> str:
        """What the device sent that was not read yet, without waiting."""
        return self.session.read_available()

    def read_until_pattern(self, pattern: str = "", read_timeout: float = 10.0,
                           re_flags: int = 0, max_loops: Optional[int] = None) -> str:
        """Reads until ``pattern`` shows up (``ReadTimeout`` after ``read_timeout`` seconds)."""
        return self.session.read_until(pattern, float(self._timeout(read_timeout) or 10.0))

    def read_until_prompt(self, read_timeout: float = 10.0, **kwargs: Any) -> str:
        """Reads until the base prompt shows up."""
        return self.read_until_pattern(re.escape(self.base_prompt), read_timeout=read_timeout)

    def clear_buffer(self, *args: Any, **kwargs: Any) -> str:
        """Drops what the device sent that was not read yet; returns it."""
        return self.read_channel()

    # --- life -------------------------------------------------------------------------------

    def is_alive(self) -> bool:
        """True if the session answers a keepalive within its bound (a NUL byte, as Netmiko
        writes, plus proof of life: the device's echo or an SSH ping)."""
        if self._session is None:
            return False
        return self._session.is_alive()

    def disconnect(self) -> None:
        """Logs out and closes the connection; safe to call twice."""
        if self._session is not None:
            self._session.disconnect()

    def cleanup(self, command: str = "") -> None:
        """Netmiko's pre-disconnect hook; netkeep logs out in ``disconnect``."""

    def __enter__(self) -> "NetkeepConnection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.disconnect()

    def __repr__(self) -> str:
        return f"<netkeep connection {self.device_type} {self.host}:{self.port}>"


def _template_dir() -> Optional[str]:
    """The TextFSM index directory as Netmiko finds it: ``NET_TEXTFSM`` (None here: the native
    side reads it), else the ntc-templates package installed in this interpreter."""
    if os.environ.get("NET_TEXTFSM"):
        return None
    import importlib.util

    spec = importlib.util.find_spec("ntc_templates")
    if spec is None or not spec.origin:
        return None
    d = os.path.join(os.path.dirname(spec.origin), "templates")
    return d if os.path.exists(os.path.join(d, "index")) else None


def _base_prompt(prompt: str) -> str:
    """``R1`` from ``R1#``/``R1(config)#``, ``H3C`` from ``<H3C>``/``[H3C]``, ``admin@r1`` from
    ``admin@r1>``."""
    p = prompt.strip()
    if len(p) >= 2 and p[0] in "<[" and p[-1] in ">]":
        p = p[1:-1]
    elif p and p[-1] in "#>$%":
        p = p[:-1]
    p = re.sub(r"\(config[^)]*\)$", "", p)
    return p or prompt.strip()


def ConnectHandler(**kwargs: Any) -> NetkeepConnection:  # noqa: N802 (Netmiko's name)
    """Opens a connection from Netmiko's keyword arguments (``device_type``, ``host``/``ip``,
    ``username``, ``password``, ``secret``, ``port``, ``use_keys``, ``key_file``,
    ``passphrase``, ``conn_timeout``, ``read_timeout_override``, ``session_log``,
    ``auto_connect``, ``ssh_config_file``, ...). See the module doc for how ``ssh_config_file``
    is used and what is ignored.

    >>> from netkeep import ConnectHandler                                    # doctest: +SKIP
    >>> with ConnectHandler(device_type="cisco_ios", host="r1", username="u",
    ...                     password="p", secret="s") as conn:               # doctest: +SKIP
    ...     conn.enable()
    ...     print(conn.send_command("show version", use_textfsm=True))
    """
    return NetkeepConnection(**kwargs)
