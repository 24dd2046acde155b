#!/usr/bin/env python3
"""Cluster benchmark: three `netkeep serve --cluster` nodes over one NATS server (loopback only).

    bench/cluster_scale.py [--per-node 3000] [--nodes 3] [--hold 60] [--kills 3] [--lease 6s]

(`--nodes 2 --per-node 50 --hold 1 --kills 0` measures just the request latencies, in a minute.)

Measures, with the default settings (lease 6 s): warm-up of NODES x PER_NODE simulated
hp_comware devices (10 s idle timeout) shared by the nodes; each node's RSS per session and the
CPU it spends keeping its sessions alive over HOLD seconds; the latency a request gains when it
goes to a node that does not keep the device (forwarded over NATS) instead of the owner's own
socket (p50 of 300); the same as fresh `netkeep exec` processes (--socket vs --cluster); and the
handover time after `kill -9` of a node (until every device is ready on the others), KILLS times.

Needs nats-server (Debian package) and a release build: cargo build --release -p netkeep-cli
(binary from $NETKEEP_BIN, else $CARGO_TARGET_DIR/release/netkeep, else target/release/netkeep).
"""

import argparse
import datetime
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PER_SIM = 5000  # devices per simulator process (an fd per listener and per session)


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=600)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.unix_path)


def call(sock, method, path, body=None):
    c = UnixHTTP(sock)
    c.request(method, path, body=json.dumps(body) if body else None,
              headers={"content-type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def binary():
    b = os.environ.get("NETKEEP_BIN") or os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "netkeep")
    if not os.access(b, os.X_OK):
        sys.exit(f"no netkeep binary at {b} (cargo build --release -p netkeep-cli)")
    return b


def nats_binary():
    for p in ("/usr/sbin/nats-server", "/usr/bin/nats-server", shutil.which("nats-server") or ""):
        if p and os.access(p, os.X_OK):
            return p
    sys.exit("nats-server is not installed (apt-get install nats-server)")


class Bench:
    def __init__(self, args, work):
        self.a, self.work, self.bin = args, work, binary()
        self.procs, self.nodes = [], {}
        self.n = args.nodes * args.per_node

    def spawn(self, argv, log, env=None):
        p = subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                             env={**os.environ, **(env or {})})
        self.procs.append(p)
        return p

    def start_nats(self):
        self.nats_port = free_port()
        self.spawn([nats_binary(), "-js", "-a", "127.0.0.1", "-p", str(self.nats_port),
                    "-sd", os.path.join(self.work, "js")], os.path.join(self.work, "nats.log"))
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.nats_port), 0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        sys.exit("nats-server did not start")

    def start_sims(self):
        logs, left = [], self.n
        while left > 0:
            k = min(left, PER_SIM)
            log = os.path.join(self.work, f"sim-{len(logs)}.log")
            self.spawn([self.bin, "sim", "--count", str(k), "--port", "0",
                        "--idle-timeout", "10s"], log)
            logs.append(log)
            left -= k
        deadline = time.time() + 120
        while time.time() < deadline:
            addrs = [l.split("\t")[2].strip() for f in logs for l in open(f) if l.count("\t") == 2]
            if len(addrs) >= self.n:
                return addrs
            time.sleep(0.2)
        sys.exit(f"only {len(addrs)} simulated devices came up")

    def write_inventory(self, addrs):
        with open(os.path.join(self.work, "pw"), "w") as f:
            f.write("admin\n")
        os.chmod(os.path.join(self.work, "pw"), 0o600)
        # Clients over NATS are named by a token, as over TCP: a read-scoped one for the bench.
        token = "cluster-bench-token"
        with open(os.path.join(self.work, "token"), "w") as f:
            f.write(token)
        sha = hashlib.sha256(token.encode()).hexdigest()
        with open(os.path.join(self.work, "access.yaml"), "w") as f:
            f.write(f"tokens:\n  - {{ name: bench, scope: read, sha256: {sha} }}\n")
        os.chmod(os.path.join(self.work, "access.yaml"), 0o600)
        with open(os.path.join(self.work, "inv.yaml"), "w") as f:
            f.write("defaults:\n  username: admin\n  password_file: pw\n  platform: hp_comware\n"
                    "  idle_timeout: 10s\n  host_key_policy: insecure\n  connect_timeout: 30s\n"
                    "groups:\n  all: {}\nhosts:\n")
            for i, a in enumerate(addrs[:self.n]):
                host, port = a.rsplit(":", 1)
                f.write(f"  d{i}: {{ hostname: {host}, port: {port}, groups: [all] }}\n")

    def start_node(self, name):
        sock = os.path.join(self.work, f"{name}.sock")
        if os.path.exists(sock):
            os.unlink(sock)
        p = self.spawn([self.bin, "serve", "--no-progress", "--inventory",
                        os.path.join(self.work, "inv.yaml"), "--socket", sock,
                        "--cluster", f"nats://127.0.0.1:{self.nats_port}", "--node", name,
                        f"--cluster-lease={self.a.lease}",
                        "--access", os.path.join(self.work, "access.yaml")],
                       os.path.join(self.work, f"{name}.log"), {"NETKEEP_LOG": "info"})
        self.nodes[name] = (p, sock)

    def cluster(self, via):
        code, body = call(self.nodes[via][1], "GET", "/v1/cluster")
        return json.loads(body) if code == 200 else None

    def wait_served(self, via, owners, limit=600):
        """Seconds until every device is ready and kept by one of `owners`."""
        t0 = time.time()
        while time.time() - t0 < limit:
            try:
                st = self.cluster(via)
            except OSError:
                st = None
            if st and len(st["devices"]) == self.n and all(
                    d["state"] == "ready" and d.get("owner") in owners for d in st["devices"]):
                return time.time() - t0, st
            time.sleep(0.1)
        sys.exit(f"not every device served by {owners} after {limit} s")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def warm_up(b):
    t0 = time.time()
    for name in b.names:
        b.start_node(name)
    for _, sock in b.nodes.values():
        while not os.path.exists(sock):
            time.sleep(0.05)
    took, st = b.wait_served(b.names[0], b.names)
    took = time.time() - t0
    # A node joining a moment after another takes some shards over: wait until none moves.
    prev = None
    while True:
        owners = [d["owner"] for d in b.wait_served(b.names[0], b.names)[1]["devices"]]
        if owners == prev:
            break
        prev = owners
        time.sleep(3)
    t0 = time.time()
    per = {n["node"]: (n["shards"], n["devices"]) for n in b.cluster(b.names[0])["nodes"]}
    print(f"one GET /v1/cluster (every device, from every node): {time.time() - t0:.2f} s")
    print(f"warm-up: {b.n} devices ready on {len(b.names)} nodes in {took:.1f} s "
          f"(from starting the nodes); shards/devices per node: {per}")
    return per


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
    return int(v[11]) + int(v[12]), rss


def keepalive_cost(b, per):
    hz = os.sysconf("SC_CLK_TCK")
    before = {n: proc_stat(p.pid) for n, (p, _) in b.nodes.items()}
    time.sleep(b.a.hold)
    for n, (p, _) in b.nodes.items():
        ticks, rss = proc_stat(p.pid)
        devices = per[n][1]
        cpu = (ticks - before[n][0]) / hz / b.a.hold * 100
        print(f"{n}: {devices} sessions, keepalive CPU over {b.a.hold} s {cpu:.1f} % of one core, "
              f"RSS {rss // 1024} MiB = {rss * 1024 // max(devices, 1) // 1024} KiB per session")


def latency(b):
    st = b.cluster(b.names[0])
    owner = b.names[0]
    dev = next(d["device"] for d in st["devices"] if d["owner"] == owner)
    body = {"device": dev, "commands": ["display clock"]}
    res = {}
    for label, via in (("the owner's socket", owner), ("another node's socket (NATS)", b.names[1])):
        sock = b.nodes[via][1]
        for _ in range(20):
            call(sock, "POST", "/v1/exec", body)
        xs = []
        for _ in range(300):
            t = time.perf_counter()
            code, _ = call(sock, "POST", "/v1/exec", body)
            xs.append((time.perf_counter() - t) * 1e3)
            assert code == 200
        res[label] = xs
        print(f"exec {dev} via {label}: p50 {pct(xs, 0.5):.2f} ms, p90 {pct(xs, 0.9):.2f} ms")
    added = pct(res["another node's socket (NATS)"], 0.5) - pct(res["the owner's socket"], 0.5)
    print(f"added by routing through NATS: {added:.2f} ms at p50")
    cli_latency(b, dev)


def cli_latency(b, dev):
    url = f"nats://127.0.0.1:{b.nats_port}"
    for label, extra in (("--socket (owner)", ["--socket", b.nodes[b.names[0]][1]]),
                         ("--cluster (over NATS)", ["--cluster", url, "--token-file",
                                                    os.path.join(b.work, "token")])):
        xs = []
        for _ in range(50):
            t = time.perf_counter()
            r = subprocess.run([b.bin, "exec", *extra, dev, "display clock"],
                               capture_output=True)
            xs.append((time.perf_counter() - t) * 1e3)
        ok = "ok" if r.returncode == 0 else f"exit {r.returncode}: {r.stderr.decode()[:200]}"
        print(f"fresh `netkeep exec {label}`: p50 {pct(xs, 0.5):.1f} ms ({ok})")


def handovers(b):
    times = []
    for i in range(b.a.kills):
        victim = b.names[-1 - i % len(b.names)]
        others = [n for n in b.names if n != victim]
        p, _ = b.nodes[victim]
        killed = time.time()
        p.send_signal(signal.SIGKILL)
        p.wait()
        took, _ = b.wait_served(others[0], others)
        times.append(took)
        claims = claim_times(b, others, killed)
        where = (f"; claims of its shards from {claims[0] - killed:.1f} to "
                 f"{claims[-1] - killed:.1f} s, logins after the margin "
                 f"({lease_s(b.a.lease) / 6:.1f} s)") if claims else "; no claim logged"
        print(f"kill -9 {victim}: its devices ready on {others} after {took:.1f} s{where}")
        b.start_node(victim)
        while not os.path.exists(b.nodes[victim][1]):
            time.sleep(0.05)
        b.wait_served(others[0], b.names)
        time.sleep(3 * lease_s(b.a.lease))  # the rejoined node takes its shards back
        b.wait_served(others[0], b.names)
    print(f"handover after kill -9: median {statistics.median(times):.1f} s of {len(times)} "
          f"({', '.join(f'{t:.1f}' for t in times)}); lease {b.a.lease}")


def claim_times(b, nodes, since):
    """Wall-clock times (sorted) the nodes logged claiming a silent node's shard after `since`."""
    out = []
    for n in nodes:
        with open(os.path.join(b.work, f"{n}.log")) as f:
            for line in f:
                if "claimed a shard of a silent node" not in line:
                    continue
                stamp = line.split(" ", 1)[0].rstrip("Z")
                try:
                    t = datetime.datetime.fromisoformat(stamp).replace(
                        tzinfo=datetime.timezone.utc).timestamp()
                except ValueError:
                    continue
                if t >= since:
                    out.append(t)
    return sorted(out)


def lease_s(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-node", type=int, default=3000)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--hold", type=int, default=60)
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--lease", default="6s")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="netkeep-cluster-bench.")
    b = Bench(a, work)
    b.names = [f"k{i + 1}" for i in range(a.nodes)]
    try:
        b.start_nats()
        b.write_inventory(b.start_sims())
        print(f"== {b.n} simulated hp_comware devices, {a.nodes} nodes, lease {a.lease}, "
              f"load {open('/proc/loadavg').read().split()[0]}")
        per = warm_up(b)
        keepalive_cost(b, per)
        latency(b)
        if a.kills:
            handovers(b)
    finally:
        for p in reversed(b.procs):
            if p.poll() is None:
                p.terminate()
        for p in b.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
