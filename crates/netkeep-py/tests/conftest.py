"""Fixtures: simulated devices (`netkeep sim`), the daemon (`netkeep serve`), and a private
known_hosts file per test run (each simulator start has a fresh host key).

The `netkeep` binary is `$NETKEEP_BIN`, else the newest of `$CARGO_TARGET_DIR/{release,debug}/
netkeep` and `target/{release,debug}/netkeep` in the repository, else `netkeep` on PATH.
"""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
PASSWORD = "sim-Pa55word"
ENABLE_SECRET = "en-S3cret"


def netkeep_binary() -> str:
    explicit = os.environ.get("NETKEEP_BIN")
    if explicit:
        return explicit
    dirs = [Path(os.environ["CARGO_TARGET_DIR"])] if os.environ.get("CARGO_TARGET_DIR") else []
    dirs.append(REPO / "target")
    found = [d / p / "netkeep" for d in dirs for p in ("release", "debug")]
    found = [f for f in found if f.exists()]
    if found:
        return str(max(found, key=lambda f: f.stat().st_mtime))
    on_path = shutil.which("netkeep")
    if on_path:
        return on_path
    pytest.exit("no netkeep binary: build it (cargo build -p netkeep-cli) or set NETKEEP_BIN", 2)


@dataclass
class Device:
    platform: str
    hostname: str
    host: str
    port: int


@dataclass
class Sim:
    """One `netkeep sim` process and its devices."""

    proc: subprocess.Popen
    devices: List[Device] = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.devices[0].host

    @property
    def port(self) -> int:
        return self.devices[0].port

    def kwargs(self, device_type: Optional[str] = None, i: int = 0, **extra) -> Dict:
        """ConnectHandler arguments for device `i`."""
        d = self.devices[i]
        args = dict(device_type=device_type or d.platform, host=d.host, port=d.port,
                    username="admin", password=PASSWORD)
        args.update(extra)
        return args

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_sim(platform: str, *args: str, count: int = 1, secret_file: Optional[str] = None) -> Sim:
    env = dict(os.environ, NETKEEP_SIM_PASSWORD=PASSWORD)
    cmd = [netkeep_binary(), "sim", "--platform", platform, "--port", "0", "--count", str(count)]
    if secret_file:
        cmd += ["--enable-secret-file", secret_file]
    cmd += list(args)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sim = Sim(proc)
    for _ in range(count):
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"netkeep sim did not start: {proc.stderr.read()}")
        plat, hostname, addr = line.strip().split("\t")
        host, port = addr.rsplit(":", 1)
        sim.devices.append(Device(plat, hostname, host, int(port)))
    return sim


@pytest.fixture(autouse=True)
def private_known_hosts() -> Iterator[None]:
    """netkeep remembers host keys (trust on first use) under XDG_DATA_HOME: a throwaway one per
    test, since every simulator start has a new key and a later simulator may get an earlier
    one's port (which a shared file would rightly call a changed host key)."""
    d = tempfile.mkdtemp(prefix="netkeep-py-tests-")
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = d
    yield
    if old is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = old
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def sim_factory() -> Iterator:
    started: List[Sim] = []

    def make(platform: str, *args: str, **kw) -> Sim:
        s = start_sim(platform, *args, **kw)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def module_sims() -> Iterator:
    """Simulators shared by a module's tests, one per platform asked for."""
    sims: Dict[str, Sim] = {}
    tmp = tempfile.mkdtemp(prefix="netkeep-py-secret-")
    secret = os.path.join(tmp, "enable")
    Path(secret).write_text(ENABLE_SECRET + "\n")

    def get(platform: str) -> Sim:
        if platform not in sims:
            sims[platform] = start_sim(platform, secret_file=secret if platform == "cisco_ios" else None)
        return sims[platform]

    yield get
    for s in sims.values():
        s.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def wait_for(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
