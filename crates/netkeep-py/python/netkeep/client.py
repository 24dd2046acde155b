"""A client for ``netkeep serve``: commands on warm sessions from any Python process.

Plain standard library (a socket and ``json``), so a fresh ``python3 -c`` process imports it and
runs a command in a few milliseconds more than the interpreter's own start-up. Where the daemon
is: ``Client(socket=...)`` or ``Client(url=...)``; else ``NETKEEP_SOCKET``; else ``NETKEEP_URL``
(token from ``NETKEEP_TOKEN_FILE``, CA from ``NETKEEP_CA_FILE``); else the daemon's default socket
(``$XDG_RUNTIME_DIR/netkeep.sock``, else ``~/.netkeep/netkeep.sock``).

>>> from netkeep import Client                                                # doctest: +SKIP
>>> c = Client()                                                              # doctest: +SKIP
>>> print(c.send_command("core-sw1", "display clock"))                        # doctest: +SKIP
>>> with c.connection("core-sw1") as conn:                                    # doctest: +SKIP
...     conn.send_config_set(["interface Gi1/0/1", "description uplink"])
"""

import json
import os
import socket as _socket
from typing import Any, Dict, List, Optional, Sequence, Union

from . import exceptions as exc

# The daemon's error kinds and the exceptions a Netmiko script catches for them.
_KIND_TO_EXCEPTION = {
    "auth": exc.NetmikoAuthenticationException,
    "host_key": exc.HostKeyError,
    "unreachable": exc.NetmikoTimeoutException,
    "connection_lost": exc.SessionLost,
    "cancelled": exc.SessionLost,
    "timeout": exc.ReadTimeout,
    "rejected": exc.ConfigInvalidException,
}


def default_socket() -> str:
    """The daemon's default socket path (as ``netkeep serve`` uses it)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "netkeep.sock")
    return os.path.join(os.path.expanduser("~"), ".netkeep", "netkeep.sock")


def _read_file(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise exc.NetkeepValueError(f"cannot read the {what} {path}: {e.strerror}") from None


class _Endpoint:
    """Where the daemon listens, and how to reach it."""

    def __init__(self, socket: Optional[str], url: Optional[str], token: Optional[str],
                 ca_file: Optional[str], client_cert: Optional[str], client_key: Optional[str]):
        self.socket = socket
        self.url = url
        self.token = token
        self.ca_file = ca_file
        self.client_cert = client_cert
        self.client_key = client_key

    def __str__(self) -> str:
        return self.socket or self.url or "?"

    def open(self, timeout: Optional[float]) -> _socket.socket:
        if self.socket:
            s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(self.socket)
            return s
        scheme, _, rest = (self.url or "").partition("://")
        hostport = rest.split("/", 1)[0]
        host, _, port = hostport.rpartition(":")
        host = host.strip("[]")
        s = _socket.create_connection((host, int(port)), timeout=timeout)
        if scheme == "https":
            import ssl  # only for TLS: keeps a Unix-socket client's start-up short

            ctx = ssl.create_default_context(cafile=self.ca_file)
            if self.client_cert:
                ctx.load_cert_chain(self.client_cert, self.client_key)
            s = ctx.wrap_socket(s, server_hostname=host)
        return s


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return bytes(out)


class Client:
    """A client of one ``netkeep serve``. Each call is one HTTP request on a fresh connection
    (cheap on a Unix socket); a ``Client`` may be shared between threads."""

    def __init__(self, socket: Optional[str] = None, *, url: Optional[str] = None,
                 token: Optional[str] = None, token_file: Optional[str] = None,
                 ca_file: Optional[str] = None, client_cert: Optional[str] = None,
                 client_key: Optional[str] = None, timeout: Optional[float] = None) -> None:
        """``socket``: the daemon's Unix socket; ``url``: ``http://HOST:PORT`` (loopback) or
        ``https://HOST:PORT`` with ``ca_file``; the bearer token as ``token`` or ``token_file``.
        ``timeout`` bounds each request in seconds (default: none; a command's own read timeout
        bounds it in the daemon)."""
        env = os.environ
        if socket is None and url is None:
            socket = env.get("NETKEEP_SOCKET") or None
            if socket is None:
                url = env.get("NETKEEP_URL") or None
                if url is not None:
                    token_file = token_file or env.get("NETKEEP_TOKEN_FILE")
                    ca_file = ca_file or env.get("NETKEEP_CA_FILE")
            if socket is None and url is None:
                socket = default_socket()
        if token is None and token_file:
            token = _read_file(token_file, "token file")
        self.endpoint = _Endpoint(socket, url, token, ca_file, client_cert, client_key)
        self.timeout = timeout

    # --- HTTP ---------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = b"" if body is None else json.dumps(body).encode()
        status, raw = self._exchange(method, path, data if body is not None else None)
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        if status >= 400:
            message = doc.get("error") if isinstance(doc, dict) else raw.decode("utf-8", "replace")
            cls = exc.NetmikoAuthenticationException if status in (401, 403) else exc.DaemonError
            err = cls(f"netkeep daemon answered {status}: {message}")
            err.status = status  # type: ignore[attr-defined]
            raise err
        return doc

    def _get_text(self, path: str) -> str:
        """A GET whose answer is text (the API document)."""
        status, raw = self._exchange("GET", path, None)
        if status >= 400:
            raise exc.DaemonError(f"netkeep daemon answered {status} to GET {path}")
        return raw.decode("utf-8", "replace")

    def _exchange(self, method: str, path: str, data: Optional[bytes]) -> "tuple[int, bytes]":
        """One HTTP/1.1 request on a fresh connection: the status and the (de-chunked) body."""
        body = data
        head = [f"{method} {path} HTTP/1.1", "Host: netkeep", "Connection: close",
                "Accept: application/json"]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        if self.endpoint.token:
            head.append(f"Authorization: Bearer {self.endpoint.token}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
        try:
            s = self.endpoint.open(self.timeout)
        except OSError as e:
            raise exc.DaemonUnavailable(
                f"cannot reach the netkeep daemon at {self.endpoint} ({e.strerror or e}); is `netkeep serve` running? (Client(socket=...), NETKEEP_SOCKET, NETKEEP_URL)"
            ) from None
        try:
            s.sendall(request)
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError as e:
            raise exc.DaemonUnavailable(f"talking to the netkeep daemon at {self.endpoint}: {e}") from None
        finally:
            s.close()
        return self._response(b"".join(chunks))

    def _response(self, raw: bytes) -> "tuple[int, bytes]":
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            raise exc.DaemonUnavailable(f"the netkeep daemon at {self.endpoint} closed the connection without an answer")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = _dechunk(body)
        return status, body

    # --- the API ------------------------------------------------------------------------------

    def exec(self, commands: Sequence[Union[str, Dict[str, Any]]],
             devices: Union[str, Sequence[str], None] = None, group: Optional[str] = None,
             parse: bool = False, *, filter: Optional[Dict[str, str]] = None,
             read_timeout: Optional[float] = None, continue_on_error: bool = False,
             template: Optional[str] = None) -> Dict[str, Any]:
        """Runs commands (lines, or the API's Command objects) on a device, a list of devices,
        a group or the devices a filter matches. Returns the API's answer as it is: ``ok``,
        ``elapsed_ms`` and ``results``, one per device (``device``, ``ok``, ``outputs`` — each
        with ``command``, ``ok``, ``output``, and with ``parse=True`` ``parsed``/``parse_note``
        — ``error``, ``error_kind``, ...). Device failures are in the results, not raised."""
        body: Dict[str, Any] = {"commands": list(commands)}
        if isinstance(devices, str):
            body["device"] = devices
        elif devices is not None:
            body["devices"] = list(devices)
        if group is not None:
            body["group"] = group
        if filter:
            body["filter"] = dict(filter)
        if read_timeout is not None:
            body["read_timeout_ms"] = int(float(read_timeout) * 1000)
        if continue_on_error:
            body["continue_on_error"] = True
        if parse:
            body["parse"] = True
            if template is not None:
                body["template"] = template
        return self._request("POST", "/v1/exec", body)

    def send_command(self, device: str, command_string: str, use_textfsm: bool = False,
                     read_timeout: Optional[float] = None, *, expect_string: Optional[str] = None,
                     strip_prompt: bool = True, strip_command: bool = True,
                     textfsm_template: Optional[str] = None,
                     raise_parsing_error: bool = False) -> Union[str, List[Dict[str, Any]]]:
        """One command on a warm session of ``device``: its output, or with ``use_textfsm=True``
        the daemon's records (the text where no template applies, as Netmiko). Failures raise
        the exceptions ``ConnectHandler`` raises."""
        cmd: Union[str, Dict[str, Any]] = command_string
        if expect_string is not None or not strip_prompt or not strip_command:
            cmd = {"command": command_string, "strip_prompt": strip_prompt,
                   "strip_command": strip_command}
            if expect_string is not None:
                cmd["until"] = expect_string
        answer = self.exec([cmd], devices=device, parse=use_textfsm, read_timeout=read_timeout,
                           template=textfsm_template)
        result = _one_output(answer, device)
        if not use_textfsm:
            return result["output"]
        parsed = result.get("parsed")
        if parsed is not None:
            return parsed
        if raise_parsing_error:
            note = result.get("parse_note") or "the daemon returned no records"
            raise exc.NetmikoParsingException(f"{device}: failed to parse the output of {command_string!r}: {note}")
        return result["output"]

    def send_config_set(self, device: str, config_commands: Union[str, Sequence[str]], *,
                        commit: bool = False, confirm_minutes: Optional[int] = None,
                        comment: Optional[str] = None, check: bool = False,
                        save: bool = False) -> str:
        """A configuration set on ``device`` (never retried automatically): returns the dialogue
        as the device showed it. ``commit``/``check``/``save`` as the API's ``/v1/config``."""
        lines = [config_commands] if isinstance(config_commands, str) else list(config_commands)
        result = self.config(device, lines, commit=commit, confirm_minutes=confirm_minutes,
                             comment=comment, check=check, save=save)
        config = result.get("config") or {}
        return config.get("transcript") or result.get("output", "")

    def config(self, device: str, lines: Sequence[str], *, commit: bool = False,
               confirm_minutes: Optional[int] = None, comment: Optional[str] = None,
               check: bool = False, save: bool = False) -> Dict[str, Any]:
        """``POST /v1/config``: the command result with its ``config`` report; a failure raises."""
        body: Dict[str, Any] = {"device": device, "lines": [line for line in lines if line.strip()]}
        if commit:
            body["commit"] = True
        if confirm_minutes is not None:
            body["confirm_minutes"] = int(confirm_minutes)
        if comment is not None:
            body["comment"] = comment
        if check:
            body["check"] = True
        if save:
            body["save"] = True
        answer = self._request("POST", "/v1/config", body)
        _raise_for(answer, device)
        outputs = answer.get("outputs") or []
        if outputs:
            _raise_for_command(outputs[-1], device)
            return outputs[-1]
        return {"output": "", "config": None}

    def status(self) -> List[Dict[str, Any]]:
        """Every device's sessions, as ``netkeep status --json`` prints them."""
        return self._request("GET", "/v1/sessions")

    def connection(self, device: str) -> "DaemonConnection":
        """An object with Netmiko's methods that make sense through the daemon, on ``device``'s
        warm sessions. Leaving its ``with`` block does not log the session out."""
        return DaemonConnection(self, device)


def _raise_for(result: Dict[str, Any], device: str) -> None:
    """Raises the exception for a device result that failed before any command ran."""
    if result.get("ok", True) or result.get("outputs"):
        return
    kind = result.get("error_kind") or "other"
    err = _KIND_TO_EXCEPTION.get(kind, exc.NetmikoBaseException)(result.get("error") or f"{device}: {kind}")
    err.device, err.kind = device, kind
    raise err


def _raise_for_command(out: Dict[str, Any], device: str) -> None:
    if out.get("ok", True):
        return
    kind = out.get("error_kind") or ("rejected" if out.get("rejected") else "other")
    message = out.get("error") or out.get("rejected") or f"{device}: {out.get('command')!r} failed"
    err = _KIND_TO_EXCEPTION.get(kind, exc.NetmikoBaseException)(message)
    err.device, err.kind, err.partial_output = device, kind, out.get("partial_output") or out.get("output")
    raise err


def _one_output(answer: Dict[str, Any], device: str) -> Dict[str, Any]:
    results = answer.get("results") or []
    if not results:
        raise exc.DaemonError(f"{device}: the daemon returned no result")
    result = results[0]
    _raise_for(result, device)
    outputs = result.get("outputs") or []
    if not outputs:
        raise exc.DaemonError(f"{device}: the daemon returned no output")
    _raise_for_command(outputs[0], device)
    return outputs[0]


class DaemonConnection:
    """Netmiko's methods on a device's warm sessions in the daemon (``Client.connection``).
    Each call is one request; between calls the daemon may lend the session to others, and
    returns it to its base mode first, so configuration mode does not carry over between calls
    (``send_config_set`` is one whole set)."""

    def __init__(self, client: Client, device: str) -> None:
        self.client = client
        self.device = device
        self.host = device

    def send_command(self, command_string: str, expect_string: Optional[str] = None,
                     read_timeout: Optional[float] = None, strip_prompt: bool = True,
                     strip_command: bool = True, use_textfsm: bool = False,
                     textfsm_template: Optional[str] = None, raise_parsing_error: bool = False,
                     **ignored: Any) -> Union[str, List[Dict[str, Any]]]:
        """As ``ConnectHandler().send_command``, on the daemon's session."""
        return self.client.send_command(
            self.device, command_string, use_textfsm=use_textfsm, read_timeout=read_timeout,
            expect_string=expect_string, strip_prompt=strip_prompt, strip_command=strip_command,
            textfsm_template=textfsm_template, raise_parsing_error=raise_parsing_error)

    def send_command_timing(self, command_string: str, last_read: float = 2.0,
                            read_timeout: Optional[float] = None, **ignored: Any) -> str:
        """Reads until the device is quiet for ``last_read`` seconds (or its prompt)."""
        cmd = {"command": command_string, "quiet_ms": int(float(last_read) * 1000)}
        answer = self.client.exec([cmd], devices=self.device, read_timeout=read_timeout)
        return _one_output(answer, self.device)["output"]

    def send_config_set(self, config_commands: Union[str, Sequence[str], None] = None,
                        **ignored: Any) -> str:
        """A configuration set (two-stage platforms: dropped unless committed; use
        ``Client.send_config_set(..., commit=True)``)."""
        if config_commands is None:
            return ""
        return self.client.send_config_set(self.device, config_commands)

    def send_config_from_file(self, config_file: str, **kwargs: Any) -> str:
        with open(config_file, encoding="utf-8") as f:
            return self.send_config_set(f.read().splitlines(), **kwargs)

    def save_config(self, *ignored: Any, **kw: Any) -> str:
        """Saves the running configuration."""
        result = self.client.config(self.device, [], save=True)
        return result.get("output", "")

    def commit(self, comment: str = "", confirm: bool = False,
               confirm_delay: Optional[int] = None, **ignored: Any) -> str:
        """Commits (an empty set with ``commit``: confirms a pending confirmed commit)."""
        minutes = (confirm_delay or 10) if confirm else None
        result = self.client.config(self.device, [], commit=True, confirm_minutes=minutes,
                                    comment=comment or None)
        return result.get("output", "")

    def find_prompt(self, *ignored: Any, **kw: Any) -> str:
        """The prompt of the daemon's session."""
        answer = self.client.exec([{"command": "", "strip_prompt": False}], devices=self.device)
        return _one_output(answer, self.device)["output"].strip()

    def is_alive(self) -> bool:
        """True if the daemon has a live session to the device (ready or busy)."""
        for d in self.client.status():
            if d.get("device") == self.device:
                return d.get("state") in ("ready", "busy")
        return False

    def disconnect(self) -> None:
        """Nothing: the session stays warm in the daemon."""

    def __enter__(self) -> "DaemonConnection":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.disconnect()

    def __repr__(self) -> str:
        return f"<netkeep daemon connection {self.device} via {self.client.endpoint}>"
