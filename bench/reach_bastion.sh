#!/usr/bin/env bash
# Connect-to-ready through a bastion: netkeep (first device, then each further device over the
# shared bastion connection) against OpenSSH's own `ssh -J` (a new bastion connection per
# device) and `ssh -J` with a ControlMaster on the bastion (connections shared, as netkeep does).
#
#   sudo bench/reach_bastion.sh [DEVICES] [RUNS]        defaults: 10 devices, 5 runs
#
# Setup (as the tests build it): a real OpenSSH sshd in one network namespace, reachable from
# here; `netkeep sim` hp_comware devices in a second namespace that only the bastion's can reach.
# "Ready" is the device's prompt after login (netkeep: login, prompt, paging off, and one checked
# `display clock`; ssh: the `<H3C…>` prompt on a PTY). Needs root, iproute2, OpenSSH, sshpass and
# a release build: cargo build --release -p netkeep-cli -p netkeep-bench (binaries from
# $CARGO_TARGET_DIR/release or target/release).
set -euo pipefail

N=${1:-10}
RUNS=${2:-5}
REL=${CARGO_TARGET_DIR:-target}/release
NK=$REL/netkeep
NKB=$REL/netkeep-bench
for b in "$NK" "$NKB"; do
  [ -x "$b" ] || { echo "no $b (cargo build --release -p netkeep-cli -p netkeep-bench)"; exit 1; }
done
for t in ip /usr/sbin/sshd ssh ssh-keygen sshpass python3; do
  command -v "$t" >/dev/null || { echo "needs $t"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }

WORK=$(mktemp -d /tmp/netkeep-bastion.XXXXXX)
TAG=nkb$$
B=${TAG}b; D=${TAG}d
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do pkill -KILL -P "$p" 2>/dev/null || true; kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$D" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  ip link del "${TAG}h" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# host <-> bastion: 198.18.250.1/.2; bastion <-> devices: 198.18.251.1/.2 (not routed from here).
ip netns add "$B"; ip netns add "$D"
ip link add "${TAG}h" type veth peer name "${TAG}B"
ip link set "${TAG}B" netns "$B"
ip addr add 198.18.250.1/30 dev "${TAG}h"; ip link set "${TAG}h" up
ip -n "$B" addr add 198.18.250.2/30 dev "${TAG}B"; ip -n "$B" link set "${TAG}B" up; ip -n "$B" link set lo up
ip link add "${TAG}x" type veth peer name "${TAG}y"
ip link set "${TAG}x" netns "$B"; ip link set "${TAG}y" netns "$D"
ip -n "$B" addr add 198.18.251.1/30 dev "${TAG}x"; ip -n "$B" link set "${TAG}x" up
ip -n "$D" addr add 198.18.251.2/30 dev "${TAG}y"; ip -n "$D" link set "${TAG}y" up; ip -n "$D" link set lo up

ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/user_key"
cp "$WORK/user_key.pub" "$WORK/authorized_keys"
mkdir -p /run/sshd
cat >"$WORK/sshd_config" <<EOF
ListenAddress 198.18.250.2:22
HostKey $WORK/host_key
AuthorizedKeysFile $WORK/authorized_keys
PidFile $WORK/sshd.pid
PasswordAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
AllowTcpForwarding yes
MaxStartups 100
LogLevel VERBOSE
EOF
ip netns exec "$B" /usr/sbin/sshd -D -f "$WORK/sshd_config" -E "$WORK/sshd.log" &
PIDS+=($!)
ip netns exec "$D" "$NK" sim --platform hp_comware --count "$N" --port 0 --listen 198.18.251.2 >"$WORK/sim.out" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 200); do
  [ "$(grep -c $'\t198.18.251.2:' "$WORK/sim.out" || true)" -ge "$N" ] && python3 -c 'import socket; socket.create_connection(("198.18.250.2", 22), 1)' 2>/dev/null && break
  sleep 0.05
done
DEVS=$(cut -f3 "$WORK/sim.out" | head -n "$N" | paste -sd,)

echo "== netkeep (library): bastion login once, $N devices over it, $RUNS runs"
"$NKB" bastion --jump root@198.18.250.2 --key "$WORK/user_key" --devices "$DEVS" --runs "$RUNS" >"$WORK/netkeep.json"

cat >"$WORK/ssh_config" <<EOF
Host bastion
  HostName 198.18.250.2
  User root
  IdentityFile $WORK/user_key
  IdentitiesOnly yes
Host bastion-mux
  HostName 198.18.250.2
  User root
  IdentityFile $WORK/user_key
  IdentitiesOnly yes
  ControlMaster auto
  ControlPath $WORK/cm-%C
  ControlPersist 60
Host *
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
EOF

echo "== OpenSSH ssh -J: a new bastion connection per device; and with a ControlMaster on the bastion"
python3 - "$WORK" "$DEVS" "$RUNS" <<'EOF' >"$WORK/openssh.json"
import json, os, pty, re, select, sys, time
work, devs, runs = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
os.environ["SSHPASS"] = "admin"

def ready(jump, dev):
    host, port = dev.rsplit(":", 1)
    argv = ["sshpass", "-e", "ssh", "-F", f"{work}/ssh_config", "-tt", "-J", jump, "-p", port,
            "-o", "PubkeyAuthentication=no", f"admin@{host}"]
    t = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    buf = b""
    # The prompt: <H3C>, or <H3C-N> when the simulator numbers its devices.
    while not re.search(rb"<H3C[^>\r\n]*>", buf):
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            raise SystemExit(f"no prompt from {dev}: {buf[-200:]!r}")
        try:
            buf += os.read(fd, 4096)
        except OSError:
            raise SystemExit(f"ssh ended before the prompt: {buf[-200:]!r}")
    took = (time.perf_counter() - t) * 1000
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    os.close(fd)
    return round(took, 3)

out = {"plain": {"first_ms": [], "further_ms": []}, "mux": {"first_ms": [], "further_ms": []}}
for _ in range(runs):
    for kind, jump in (("plain", "bastion"), ("mux", "bastion-mux")):
        if kind == "mux":
            os.system(f"ssh -F {work}/ssh_config -O exit bastion-mux >/dev/null 2>&1")
        for i, d in enumerate(devs):
            out[kind]["first_ms" if i == 0 else "further_ms"].append(ready(jump, d))
os.system(f"ssh -F {work}/ssh_config -O exit bastion-mux >/dev/null 2>&1")
print(json.dumps(out))
EOF

python3 - "$WORK" "$N" "$RUNS" <<'EOF'
import json, statistics, sys
work, n, runs = sys.argv[1], sys.argv[2], sys.argv[3]
nk = json.load(open(f"{work}/netkeep.json"))
os_ = json.load(open(f"{work}/openssh.json"))
def med(v): return f"{statistics.median(v):.1f}" if v else "-"
def p90(v): return f"{sorted(v)[int(0.9 * (len(v) - 1))]:.1f}" if v else "-"
print(f"\n{n} devices behind one bastion, {runs} runs (ms; median / p90)\n")
print("| client | first device (incl. bastion login) | each further device |")
print("|---|---|---|")
print(f"| netkeep (shared bastion connection) | {med(nk['first_ms'])} / {p90(nk['first_ms'])} | {med(nk['further_ms'])} / {p90(nk['further_ms'])} |")
print(f"| OpenSSH `ssh -J` | {med(os_['plain']['first_ms'])} / {p90(os_['plain']['first_ms'])} | {med(os_['plain']['further_ms'])} / {p90(os_['plain']['further_ms'])} |")
print(f"| OpenSSH `ssh -J`, ControlMaster on the bastion | {med(os_['mux']['first_ms'])} / {p90(os_['mux']['first_ms'])} | {med(os_['mux']['further_ms'])} / {p90(os_['mux']['further_ms'])} |")
print(f"\nnetkeep bastion login alone: {med(nk['bastion_login_ms'])} ms (median)")
EOF
echo "bastion logins seen by sshd: $(grep -c 'Accepted publickey' "$WORK/sshd.log")"
