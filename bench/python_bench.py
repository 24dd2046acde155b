#!/usr/bin/env python3
"""netkeep from Python against Netmiko 4.8 and Scrapli 2, on the same simulated device.

    python bench/python_bench.py [--commands 1000] [--sessions 200] [--fresh 20] [--quick]

Needs: the `netkeep` package installed (`pip install .`), netmiko==4.8.0, scrapli==2026.10.14
(bench/requirements.txt), and a release `netkeep` binary (NETKEEP_BIN, else
$CARGO_TARGET_DIR/release/netkeep, else target/release/netkeep). Everything runs on 127.0.0.1;
every process started is stopped at the end.

Figures:
- small command (`display clock` on hp_comware, `show clock` on cisco_ios), p50/p99 over
  --commands calls on one session after 20 warm-up calls: netkeep (Python), Netmiko, Scrapli 2;
- memory per open connection from Python: RSS growth of one process opening --sessions netkeep
  connections, divided by their number;
- a fresh `python3 -c` process that imports netkeep and runs one command on a warm device through
  `netkeep serve`, against the same process doing a cold Netmiko login and the command.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-Pa55"
CMD = {"hp_comware": "display clock", "cisco_ios": "show clock"}
SCRAPLI_DEFINITION = {"hp_comware": "hp_comware", "cisco_ios": "cisco_iosxe"}
CLOCK = re.compile(r"\d{1,2}:\d{2}:\d{2}")
PROMPT = re.compile(r"^(<[\w-]+>|R1[#>])\s*$", re.M)


def netkeep_bin() -> str:
    if os.environ.get("NETKEEP_BIN"):
        return os.environ["NETKEEP_BIN"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "release" / "netkeep")


def start_sim(platform: str, count: int = 1, *extra: str):
    env = dict(os.environ, NETKEEP_SIM_PASSWORD=PASSWORD)
    # IOS starts privileged (`R1#`), as for a privilege-15 user: no `enable` in the figures.
    priv = ["--privileged-login"] if platform == "cisco_ios" else []
    p = subprocess.Popen([netkeep_bin(), "sim", "--platform", platform, "--port", "0",
                          "--count", str(count), *priv, *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    ports = []
    for _ in range(count):
        line = p.stdout.readline()
        ports.append(int(line.strip().rsplit(":", 1)[1]))
    return p, ports


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def timed(fn, n, warm=20):
    for _ in range(warm):
        fn()
    lat = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        lat.append(time.perf_counter() - t0)
    return {"p50_ms": pct(lat, 0.5) * 1e3, "p99_ms": pct(lat, 0.99) * 1e3,
            "mean_ms": statistics.fmean(lat) * 1e3}


def checked(text: str) -> str:
    """Every timed answer is checked: the clock is there, no prompt line left in it."""
    if not CLOCK.search(text) or PROMPT.search(text):
        raise AssertionError(f"wrong answer: {text!r}")
    return text


def connectors(platform: str, port: int):
    """One opener per tool: returns (session, run one command, close)."""
    cmd = CMD[platform]

    def nk():
        import netkeep
        c = netkeep.ConnectHandler(device_type=platform, host="127.0.0.1", port=port,
                                   username="admin", password=PASSWORD,
                                   host_key_policy="insecure")
        return lambda: checked(c.send_command(cmd)), c.disconnect

    def nm():
        import netmiko
        c = netmiko.ConnectHandler(device_type=platform, host="127.0.0.1", port=port,
                                   username="admin", password=PASSWORD)
        return lambda: checked(c.send_command(cmd)), c.disconnect

    def sc():
        from scrapli import AuthOptions, Cli, SessionOptions, TransportSsh2Options
        cli = Cli("127.0.0.1", port=port, definition_file_or_name=SCRAPLI_DEFINITION[platform],
                  auth_options=AuthOptions(username="admin", password=PASSWORD),
                  session_options=SessionOptions(operation_timeout_s=60),
                  transport_options=TransportSsh2Options())
        cli.open()
        return lambda: checked(cli.send_input(cmd).result), cli.close

    return {"netkeep": ("netkeep (Python)", nk), "netmiko": ("Netmiko 4.8", nm),
            "scrapli": ("Scrapli 2 (ssh2)", sc)}


def small_command(platform: str, port: int, n: int, tools):
    """Per tool: connect to a ready prompt (p50 of 10 logins, each checked by one command),
    then the small command p50/p99 on one session (Netmiko: n/20 calls, ~85 ms each)."""
    out = {}
    for tool, (label, opener) in connectors(platform, port).items():
        if tool not in tools:
            continue
        logins = []
        for _ in range(10 if tool != "netmiko" else 5):
            t0 = time.perf_counter()
            run, close = opener()
            logins.append(time.perf_counter() - t0)
            run()
            close()
        run, close = opener()
        calls = n if tool != "netmiko" else max(20, n // 20)
        out[label] = timed(run, calls, warm=20 if tool != "netmiko" else 3)
        out[label]["connect_p50_ms"] = pct(logins, 0.5) * 1e3
        close()
    return out


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory_per_connection(n: int) -> dict:
    import netkeep
    p, ports = start_sim("hp_comware", n)
    try:
        # One first connection starts the runtime and loads the platform files.
        first = netkeep.ConnectHandler(device_type="hp_comware", host="127.0.0.1", port=ports[0],
                                       username="admin", password=PASSWORD,
                                       host_key_policy="insecure")
        before = rss_kib()
        conns = [netkeep.ConnectHandler(device_type="hp_comware", host="127.0.0.1", port=port,
                                        username="admin", password=PASSWORD,
                                        host_key_policy="insecure") for port in ports[1:]]
        for c in conns:
            c.send_command("display clock")
        after = rss_kib()
        for c in conns + [first]:
            c.disconnect()
        return {"connections": len(conns), "rss_growth_kib": after - before,
                "kib_per_connection": (after - before) / len(conns)}
    finally:
        p.terminate()
        p.wait()


def fresh_process(n: int) -> dict:
    p, ports = start_sim("hp_comware")
    d = tempfile.mkdtemp(prefix="netkeep-bench-")
    sock = os.path.join(d, "netkeep.sock")
    inv = Path(d, "inv.yaml")
    inv.write_text("defaults: { username: admin, password_env: BENCH_PW, host_key_policy: insecure }\n"
                   f"hosts:\n  sw1: {{ hostname: 127.0.0.1, port: {ports[0]}, platform: hp_comware }}\n")
    env = dict(os.environ, BENCH_PW=PASSWORD, NETKEEP_SOCKET=sock, NETKEEP_LOG="warn")
    serve = subprocess.Popen([netkeep_bin(), "serve", "--inventory", str(inv), "--socket", sock,
                              "--no-progress"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(sock) and time.monotonic() < deadline:
            time.sleep(0.05)
        # The child also reports its own import + command time (without interpreter start-up).
        warm = ("import time; t0 = time.perf_counter(); import netkeep; "
                "out = netkeep.Client().send_command('sw1', 'display clock'); "
                "assert out.strip(); print(time.perf_counter() - t0)")
        cold = ("from netmiko import ConnectHandler; "
                f"c = ConnectHandler(device_type='hp_comware', host='127.0.0.1', port={ports[0]}, "
                f"username='admin', password='{PASSWORD}'); "
                "out = c.send_command('display clock'); c.disconnect(); assert out.strip()")

        inside = []

        def run(code):
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                  stdout=subprocess.PIPE, text=True)
            if done.stdout.strip():
                inside.append(float(done.stdout))
            return time.perf_counter() - t0

        run(warm)  # the daemon's session is warm, the page cache too
        inside.clear()
        warm_t = [run(warm) for _ in range(n)]
        bare_t = [run("pass") for _ in range(n)]
        imp_t = [run("import netkeep") for _ in range(n)]
        cold_t = [run(cold) for _ in range(max(3, n // 4))]
        ms = lambda xs: round(statistics.median(xs) * 1e3, 1)  # noqa: E731
        return {"warm_command_via_daemon_ms": ms(warm_t), "import_and_command_in_child_ms": ms(inside),
                "python_startup_ms": ms(bare_t),
                "import_netkeep_process_ms": ms(imp_t), "cold_netmiko_login_and_command_ms": ms(cold_t)}
    finally:
        serve.terminate()
        serve.wait()
        p.terminate()
        p.wait()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commands", type=int, default=1000)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--fresh", type=int, default=20)
    ap.add_argument("--tools", default="netkeep,netmiko,scrapli")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "python.json"))
    a = ap.parse_args()
    if a.quick:
        a.commands, a.sessions, a.fresh = 200, 50, 5
    tools = a.tools.split(",")
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="netkeep-bench-kh-"))
    res = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "command": "python bench/python_bench.py " + " ".join(sys.argv[1:]),
           "python": sys.version.split()[0], "small_command": {}}
    for platform in ("hp_comware", "cisco_ios"):
        p, ports = start_sim(platform)
        try:
            res["small_command"][platform] = small_command(platform, ports[0], a.commands, tools)
        finally:
            p.terminate()
            p.wait()
        print(platform, json.dumps(res["small_command"][platform], indent=1), flush=True)
    res["memory"] = memory_per_connection(a.sessions)
    print("memory", res["memory"], flush=True)
    res["fresh_process"] = fresh_process(a.fresh)
    print("fresh process", res["fresh_process"], flush=True)
    Path(a.out).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
