#!/usr/bin/env bash
# Memory retention of `netkeep serve` after large listings (loopback only, simulated devices).
#
#   crates/netkeep-keeper/tests/listing_rss.sh BIN [DEVICES] [WORKERS]     (SETTLE=60 recommended)
#
# Starts DEVICES simulated hp_comware devices (`netkeep sim`, <= 5000 per process), a daemon on
# them (TOKIO_WORKER_THREADS=WORKERS if given: a many-core server has many malloc arenas), waits
# for every session, lets RSS settle for SETTLE seconds (it rises for ~60 s after warm-up at
# 10,000 devices), then GETs /v1/sessions 100 times with curl and prints the RSS growth
# (/proc/PID/status VmRSS). BIN: a release build (cargo build --release -p netkeep-cli).
set -euo pipefail
BIN=$1; N=${2:-2000}; WORKERS=${3:-}
WORK=$(mktemp -d /tmp/netkeep-listing-rss.XXXXXX); SOCK=$WORK/s.sock
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap 'cleanup; rm -rf "$WORK"' EXIT
ulimit -n "$(ulimit -Hn)"
started=0
while [ "$started" -lt "$N" ]; do   # <= 5000 devices per simulator (fd limit)
  n=$(( N - started < 5000 ? N - started : 5000 ))
  "$BIN" sim --count "$n" --port 0 --idle-timeout 10s >"$WORK/sim-$started.log" 2>&1 &
  PIDS+=($!); started=$(( started + n ))
done
for _ in $(seq 1200); do [ "$(cat "$WORK"/sim-*.log | grep -c $'\t127.0.0.1:')" -ge "$N" ] && break; sleep 0.1; done
python3 - "$N" "$WORK" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
import glob
addrs = [l.split("\t")[2].strip() for g in sorted(glob.glob(f"{work}/sim-*.log")) for l in open(g) if l.count("\t") == 2]
open(f"{work}/pw", "w").write("admin\n")
with open(f"{work}/inv.yaml", "w") as f:
    f.write("defaults:\n  username: admin\n  password_file: pw\n  platform: hp_comware\n  idle_timeout: 10s\n"
            "  host_key_policy: insecure\n  connect_timeout: 30s\nhosts:\n")
    for i, a in enumerate(addrs[:n]):
        h, p = a.rsplit(":", 1)
        f.write(f"  d{i}: {{ hostname: {h}, port: {p} }}\n")
PY
if [ -n "$WORKERS" ]; then export TOKIO_WORKER_THREADS=$WORKERS; fi
NETKEEP_LOG=warn "$BIN" serve --inventory "$WORK/inv.yaml" --socket "$SOCK" --no-progress --connect-concurrency 256 2>"$WORK/serve.log" &
DPID=$!; PIDS+=($DPID)
unset TOKIO_WORKER_THREADS
while [ ! -S "$SOCK" ]; do sleep 0.05; done
for _ in $(seq 600); do
  r=$(curl -s --unix-socket "$SOCK" http://x/v1/sessions | { grep -o '"state":"ready"' || true; } | wc -l)
  [ "$r" -ge "$N" ] && break; sleep 0.5
done
rss() { awk '/VmRSS/ {print $2}' /proc/"$DPID"/status; }
for k in $(seq $(( ${SETTLE:-15} / 5 ))); do sleep 5; echo "  settle t+$(( k * 5 )) s: $(rss) KiB"; done
size=$(curl -s --unix-socket "$SOCK" http://x/v1/sessions | wc -c)
ri=$(rss); sleep 5; r0=$(rss); echo "control: RSS drift over 5 s without listings: $(( r0 - ri )) KiB"
echo "ready $r/$N, listing $size bytes, threads $(ls /proc/$DPID/task | wc -l)"
echo "RSS before listings: $r0 KiB = $(( r0 * 1024 / N )) B/session"
t=$(date +%s%N)
for i in $(seq 100); do
  curl -s --unix-socket "$SOCK" http://x/v1/sessions >/dev/null
  [ $(( i % 25 )) -eq 0 ] && echo "  after $i listings: $(rss) KiB"
done
us=$(( ($(date +%s%N) - t) / 100000 ))
sleep 3
r1=$(rss)
echo "RSS after 100 listings (+3 s): $r1 KiB = $(( r1 * 1024 / N )) B/session; growth $(( r1 - r0 )) KiB; mean listing wall ${us} us (curl incl.)"
