#!/usr/bin/env bash
# Scale benchmark of `netkeep serve` against simulated devices (loopback only).
#
#   bench/keeper_scale.sh [DEVICES] [HOLD_SECONDS]      defaults: 10000 devices, 600 s
#
# Measures: time to warm DEVICES sessions; daemon RSS per session; CPU spent keeping them alive
# under a 10 s idle timeout (keepalive every ~3.3 s); sessions lost over HOLD_SECONDS; one
# command fanned out to 1,000 devices; a fresh-process request on a warm session (curl over the
# Unix socket, and `netkeep exec` when it goes through the daemon).
# Needs a release build: cargo build --release -p netkeep-cli (binary from $NETKEEP_BIN or
# $CARGO_TARGET_DIR/release/netkeep or target/release/netkeep).
set -euo pipefail

N=${1:-10000}
HOLD=${2:-600}
PER_SIM=5000                       # devices per simulator process (fds: listener + session each)
BIN=${NETKEEP_BIN:-${CARGO_TARGET_DIR:-target}/release/netkeep}
[ -x "$BIN" ] || { echo "no netkeep binary at $BIN (cargo build --release -p netkeep-cli)"; exit 1; }
WORK=$(mktemp -d /tmp/netkeep-scale.XXXXXX)
SOCK=$WORK/netkeep.sock
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

echo "== $N simulated hp_comware devices, idle timeout 10 s, in $(( (N + PER_SIM - 1) / PER_SIM )) simulator process(es)"
# --port 0: every device on a free port (fixed ranges collide with other users of the machine);
# the simulator prints "platform<TAB>hostname<TAB>address" per device.
started=0
while [ "$started" -lt "$N" ]; do
  n=$(( N - started < PER_SIM ? N - started : PER_SIM ))
  "$BIN" sim --count "$n" --port 0 --idle-timeout 10s >"$WORK/sim-$started.log" 2>&1 &
  PIDS+=($!)
  started=$(( started + n ))
done
for _ in $(seq 600); do
  [ "$(cat "$WORK"/sim-*.log | grep -c $'\t127.0.0.1:')" -ge "$N" ] && break
  for p in "${PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null || { echo "a simulator exited:"; grep -hv $'\t' "$WORK"/sim-*.log | head; exit 1; }
  done
  sleep 0.1
done

python3 - "$N" "$WORK" <<'EOF'
import sys, glob
n, work = int(sys.argv[1]), sys.argv[2]
addrs = [l.split("\t")[2].strip() for f in sorted(glob.glob(f"{work}/sim-*.log")) for l in open(f) if l.count("\t") == 2]
assert len(addrs) >= n, f"only {len(addrs)} simulated devices came up"
with open(f"{work}/pw", "w") as f: f.write("admin\n")
with open(f"{work}/inv.yaml", "w") as f:
    f.write(f"defaults:\n  username: admin\n  password_file: pw\n  platform: hp_comware\n  idle_timeout: 10s\n"
            f"  host_key_policy: insecure\n  connect_timeout: 30s\ngroups:\n  k1000: {{}}\n  all: {{}}\nhosts:\n")
    for i, a in enumerate(addrs[:n]):
        host, port = a.rsplit(":", 1)
        g = "[all, k1000]" if i < 1000 else "[all]"
        f.write(f"  d{i}: {{ hostname: {host}, port: {port}, groups: {g} }}\n")
EOF

cat >"$WORK/api.py" <<'EOF'
import http.client, json, socket, sys, time
class UC(http.client.HTTPConnection):
    def __init__(self, path): super().__init__("localhost", timeout=600); self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(self.path)
def call(sock, method, path, body=None):
    c = UC(sock); c.request(method, path, body=json.dumps(body) if body else None,
                            headers={"content-type": "application/json"})
    r = c.getresponse(); return r.status, r.read()
EOF

echo "== netkeep serve"
NETKEEP_LOG=info "$BIN" serve --inventory "$WORK/inv.yaml" --socket "$SOCK" --no-progress \
  --connect-concurrency 256 2>"$WORK/serve.log" &
DPID=$!; PIDS+=($DPID)
t0=$(date +%s.%N)
python3 - "$SOCK" "$N" "$WORK" <<'EOF'
import sys, time, json, os
sys.path.insert(0, sys.argv[3]); from api import call
sock, n = sys.argv[1], int(sys.argv[2])
while not os.path.exists(sock): time.sleep(0.05)
t0 = time.time()
while True:
    st = json.loads(call(sock, "GET", "/v1/sessions")[1])
    ready = sum(1 for s in st if s["state"] == "ready")
    if ready == n or time.time() - t0 > 600: break
    time.sleep(0.5)
print(f"warm: {ready}/{n} ready in {time.time() - t0:.1f} s")
EOF
grep -m1 'open-file limit' "$WORK/serve.log" || true

rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$DPID"/status; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$DPID"/stat; }
HZ=$(getconf CLK_TCK)
echo "daemon RSS: $(( $(rss_kb) / 1024 )) MiB = $(( $(rss_kb) * 1024 / N )) bytes per session (whole process / $N)"
echo "daemon fds: $(ls /proc/$DPID/fd | wc -l), threads: $(ls /proc/$DPID/task | wc -l)"

W=60; [ "$HOLD" -lt 60 ] && W=$HOLD
c1=$(cpu_ticks); sleep "$W"; c2=$(cpu_ticks)
python3 -c "print(f'keepalive CPU over $W s: {($c2 - $c1) / $HZ / $W * 100:.1f} % of one core')"

python3 - "$SOCK" "$WORK" <<'EOF'
import sys, json, time
sys.path.insert(0, sys.argv[2]); from api import call
sock = sys.argv[1]
for i in range(3):
    t = time.time()
    code, body = call(sock, "POST", "/v1/exec", {"group": "k1000", "commands": ["display clock"]})
    r = json.loads(body)
    ok = sum(1 for d in r["results"] if d["ok"])
    print(f"fan-out to 1000 devices: {ok}/1000 ok, daemon {r['elapsed_ms']:.0f} ms, client wall {1000 * (time.time() - t):.0f} ms")
EOF

echo "== fresh process on a warm session (mean of 100 runs; bash loop, so no interpreter overhead)"
loop() { local t; t=$(date +%s%N); for _ in $(seq 100); do "$@" >/dev/null 2>&1; done; echo $(( ($(date +%s%N) - t) / 100000 )); }
body='{"device":"d1","commands":["display clock"]}'
echo "  /bin/true (process spawn floor): $(loop /bin/true) us"
echo "  netkeep --version (binary start floor): $(loop "$BIN" --version) us"
echo "  netkeep status --socket (all $N devices): $(loop "$BIN" status --socket "$SOCK" --json) us"
echo "  curl --unix-socket POST /v1/exec d1: $(loop curl -s --unix-socket "$SOCK" -H 'content-type: application/json' -d "$body" http://x/v1/exec) us"
if NETKEEP_SOCKET=$SOCK "$BIN" exec d1 "display clock" >/dev/null 2>&1; then
  echo "  netkeep exec d1 'display clock' (NETKEEP_SOCKET): $(NETKEEP_SOCKET=$SOCK loop "$BIN" exec d1 "display clock") us"
else
  echo "  netkeep exec does not go through the daemon in this build (exit $?); skipped"
fi
python3 - "$SOCK" "$WORK" <<'EOF2'
import sys, json
sys.path.insert(0, sys.argv[2]); from api import call
r = json.loads(call(sys.argv[1], "POST", "/v1/exec", {"device": "d1", "commands": ["display clock"]})[1])
print(f"  daemon-side time for that exec: {r['elapsed_ms']:.3f} ms")
EOF2

if [ "$HOLD" -gt "$W" ]; then
  echo "== holding for $(( HOLD - W )) more seconds (RSS, drops and load every 60 s)"
  left=$(( HOLD - W ))
  while [ "$left" -gt 0 ]; do
    s=$(( left < 60 ? left : 60 )); sleep "$s"; left=$(( left - s ))
    drops=$(python3 -c "import sys,json; sys.path.insert(0,'$WORK'); from api import call; print(sum(d['drops'] for d in json.loads(call('$SOCK','GET','/v1/sessions')[1])))")
    echo "  t+$(( HOLD - left ))s RSS $(( $(rss_kb) / 1024 )) MiB, drops $drops, load $(cut -d' ' -f1 /proc/loadavg)"
  done
fi
python3 - "$SOCK" "$WORK" "$HOLD" <<'EOF'
import sys, json
sys.path.insert(0, sys.argv[2]); from api import call
st = json.loads(call(sys.argv[1], "GET", "/v1/sessions")[1])
ready = sum(1 for s in st if s["state"] in ("ready", "busy"))
lost = sum(s["drops"] for s in st); rec = sum(s["reconnects"] for s in st)
ka = sum(s["keepalives_sent"] for s in st)
print(f"after {sys.argv[3]} s: {ready}/{len(st)} ready, sessions dropped {lost}, reconnects {rec}, keepalives sent {ka}")
EOF
echo "daemon RSS at end: $(( $(rss_kb) / 1024 )) MiB, fds $(ls /proc/$DPID/fd | wc -l)"
kill -TERM "$DPID"; t=$(date +%s.%N); wait "$DPID" || true
python3 -c "print(f'graceful stop (logout of every session): {$(date +%s.%N) - $t:.1f} s')"
