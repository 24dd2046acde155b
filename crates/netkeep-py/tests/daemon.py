"""A `netkeep serve` for tests: simulated devices behind an inventory, on a private socket."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from conftest import ENABLE_SECRET, PASSWORD, Sim, netkeep_binary, start_sim
from netkeep import Client, DaemonUnavailable


class Daemon:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="netkeep-py-daemon-")
        self.socket = os.path.join(self.dir, "netkeep.sock")
        self.sims: List[Sim] = []
        self.proc = None
        self.hosts: Dict[str, Dict] = {}

    def add(self, name: str, sim: Sim, i: int = 0, **extra) -> None:
        d = sim.devices[i]
        self.hosts[name] = dict(hostname=d.host, port=d.port, platform=d.platform, **extra)

    def start(self) -> "Daemon":
        Path(self.dir, "secret").write_text(ENABLE_SECRET + "\n")
        lines = ["defaults:", "  username: admin", "  password_env: NETKEEP_PY_TEST_PASSWORD",
                 "  host_key_policy: insecure", "hosts:"]
        for name, h in self.hosts.items():
            fields = ", ".join(f"{k}: {v}" for k, v in h.items())
            lines.append(f"  {name}: {{ {fields} }}")
        inv = Path(self.dir, "inventory.yaml")
        inv.write_text("\n".join(lines) + "\n")
        # The daemon finds ntc-templates by asking a Python where the package is: this venv's.
        env = dict(os.environ, NETKEEP_PY_TEST_PASSWORD=PASSWORD, NETKEEP_LOG="warn",
                   NETKEEP_PYTHON=sys.executable)
        self.proc = subprocess.Popen(
            [netkeep_binary(), "serve", "--inventory", str(inv), "--socket", self.socket, "--no-progress"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "serve.log"), "w"), env=env,
            cwd=self.dir)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 20.0) -> None:
        client = Client(socket=self.socket)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("netkeep serve exited: " + Path(self.dir, "serve.log").read_text())
            try:
                last = client.status()
                warm = [d for d in last if self.hosts.get(d["device"], {}).get("warm", True) is True]
                if all(d["state"] in ("ready", "failed", "backoff") for d in warm) and len(last) == len(self.hosts):
                    return
            except DaemonUnavailable:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"daemon not ready: {last}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for s in self.sims:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def fleet() -> Daemon:
    """sw1, sw2 (Comware), r1 (IOS, enable secret, privileged), edge1 (Junos), vrp1 (VRP), locked (Comware,
    wrong password)."""
    d = Daemon()
    comware = start_sim("hp_comware", count=2)
    secret = os.path.join(d.dir, "secret")
    Path(secret).write_text(ENABLE_SECRET + "\n")
    ios = start_sim("cisco_ios", secret_file=secret)
    junos = start_sim("juniper_junos")
    vrp = start_sim("huawei")
    d.sims += [comware, ios, junos, vrp]
    d.add("sw1", comware, 0)
    d.add("sw2", comware, 1)
    # Privileged base mode, as an IOS inventory for configuration work says.
    d.add("r1", ios, secret_file=secret, enable="true")
    d.add("edge1", junos)
    d.add("vrp1", vrp)
    d.add("locked", comware, 0, password_env="NETKEEP_PY_TEST_WRONG", warm="false")
    os.environ["NETKEEP_PY_TEST_WRONG"] = "not-the-password"
    return d.start()
