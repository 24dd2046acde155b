"""Type stubs for the compiled module ``netkeep._native`` (crates/netkeep-py/src)."""

from typing import Any, Dict, List, Optional, Sequence, Tuple

__version__: str

class NativeSession:
    """One netkeep session; every call releases the GIL and is interrupted by Ctrl-C."""

    @staticmethod
    def connect(
        host: str,
        port: Optional[int],
        platform: str,
        username: Optional[str],
        *,
        password: Optional[str] = None,
        secret: Optional[str] = None,
        key_file: Optional[str] = None,
        passphrase: Optional[str] = None,
        keyboard_interactive: bool = False,
        conn_timeout: Optional[float] = None,
        read_timeout: float = 30.0,
        keepalive: Optional[str] = None,
        keepalive_interval: Optional[float] = None,
        idle_timeout: Optional[float] = None,
        session_log: Optional[str] = None,
        device_name: Optional[str] = None,
        host_key_policy: Optional[str] = None,
        known_hosts_file: Optional[str] = None,
        enable: Optional[bool] = None,
        legacy_algorithms: bool = False,
        platform_dir: Optional[str] = None,
        ssh_config_file: Optional[str] = None,
    ) -> "NativeSession": ...
    def send(
        self,
        line: str,
        *,
        until: Optional[str] = None,
        answers: Optional[Sequence[Tuple[str, str]]] = None,
        quiet: Optional[float] = None,
        read_timeout: Optional[float] = None,
        strip_prompt: bool = True,
        strip_command: bool = True,
    ) -> str: ...
    def configure(
        self,
        lines: Sequence[str],
        *,
        exit: Optional[bool] = None,
        finish: str = "nothing",
        confirm: Optional[float] = None,
        comment: Optional[str] = None,
        save: bool = False,
        read_timeout: Optional[float] = None,
    ) -> Dict[str, Any]: ...
    def save_config(self) -> str: ...
    def commit(self) -> str: ...
    def enable(self) -> None: ...
    def exit_enable_mode(self) -> str: ...
    def check_enable_mode(self) -> bool: ...
    def config_mode(self) -> str: ...
    def exit_config_mode(self) -> str: ...
    def check_config_mode(self) -> bool: ...
    def find_prompt(self) -> str: ...
    def write_raw(self, data: str) -> None: ...
    def read_available(self) -> str: ...
    def read_until(self, pattern: str, timeout: float) -> str: ...
    def restore_base_mode(self) -> bool: ...
    def is_alive(self) -> bool: ...
    def disconnect(self) -> None: ...
    def abandoned_output(self) -> Optional[str]: ...
    def is_prompt_context(self, line: str) -> bool: ...
    def keepalive_stats(self) -> Dict[str, Any]: ...
    @property
    def closed(self) -> bool: ...
    @property
    def device(self) -> str: ...
    @property
    def platform(self) -> str: ...

def parse_output(
    platform: str,
    command: str,
    output: str,
    template: Optional[str] = None,
    template_dir: Optional[str] = None,
) -> Tuple[Optional[List[Dict[str, Any]]], Optional[str]]: ...
def textfsm_platform(device_type: str) -> str: ...
def runtime_pid() -> int: ...
