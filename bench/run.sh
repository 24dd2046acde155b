#!/usr/bin/env bash
# netkeep benchmarks against Netmiko and Scrapli 2, side by side, on the same simulated devices.
#
#   bench/run.sh            full run (< 15 min on 2 cores): writes bench/results/{results.json,RESULTS.md,bench.png}
#   bench/run.sh --quick    scaled down (~1-2 min) for trying things
#   bench/run.sh --update-readme   full run, then rewrites README.md's tables between its
#                           <!-- bench:begin --> / <!-- bench:end --> markers (refused with --quick)
#
# Options: --quick, --update-readme, --only TOOL[,TOOL] (netkeep,russh-floor,interleaved,
#          scrapli-ssh2,scrapli-bin,netmiko,netmiko-tuned), --base-port N (default 24000, below the
#          ephemeral port range). Env: CARGO_TARGET_DIR (default ./target).
# Everything runs on 127.0.0.1. Every process this script starts is stopped on exit.
set -euo pipefail

QUICK=""
README_UPDATE=""
ONLY="netkeep,russh-floor,interleaved,scrapli-ssh2,scrapli-bin,netmiko,netmiko-tuned"
BASE_PORT=24000
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK="--quick" ;;
        --update-readme) README_UPDATE=1 ;;
        --only) ONLY="$2"; shift ;;
        --base-port) BASE_PORT="$2"; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -n "$README_UPDATE" ] && [ -n "$QUICK" ]; then
    echo "bench/run.sh: --update-readme needs a full run (the README shows full-run figures)" >&2; exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STARTED=$(date +%s)
OUT="$ROOT/bench/results"
TMP="$OUT/tmp"
VENV="$ROOT/bench/.venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$CARGO_TARGET_DIR/release"
mkdir -p "$TMP"
# Results of the tools not run this time (--only) are kept, and aggregated with the new ones.
for t in ${ONLY//,/ }; do rm -f "$TMP/result-$t.json" "$TMP/$t.log"; done

log() { echo "$(date -u +%H:%M:%S) bench: $*" >&2; }

# ---- cleanup: every background process is started in its own process group (setsid) and its
# group is signalled on exit, so children (ssh from Scrapli's bin transport) go too.
PGIDS=()
cleanup() {
    local rc=$?
    for pg in "${PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done
    sleep 0.5
    for pg in "${PGIDS[@]}"; do kill -KILL -- "-$pg" 2>/dev/null || true; done
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_bg LOGFILE CMD... : runs CMD in a new session; records its process group.
start_bg() {
    local logf="$1"; shift
    setsid "$@" >"$logf" 2>&1 < /dev/null &
    PGIDS+=("$!")
}

# run_fg SECONDS LOGFILE CMD... : runs a driver in its own group with a time limit.
run_fg() {
    local limit="$1" logf="$2"; shift 2
    setsid timeout --kill-after=5 "$limit" "$@" >"$logf" 2>&1 < /dev/null &
    local pid=$!
    PGIDS+=("$pid")
    local rc=0
    wait "$pid" || rc=$?
    kill -KILL -- "-$pid" 2>/dev/null || true
    return $rc
}

wait_port() {
    local port="$1" i
    for i in $(seq 1 300); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

# 1,000 devices: ~2 descriptors per session in each process, plus listeners.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ulimit -n 65536 2>/dev/null || true
log "open files limit: $(ulimit -n)"

# ---- build
log "building netkeep (release) in $CARGO_TARGET_DIR"
cargo build --release -p netkeep-bench >"$TMP/build-bench.log" 2>&1 || { tail -30 "$TMP/build-bench.log" >&2; exit 1; }
HAVE_CLI=0
if cargo build --release -p netkeep-cli >"$TMP/build-cli.log" 2>&1; then HAVE_CLI=1; else
    log "WARNING: netkeep-cli does not build; sims run through netkeep-bench, no daemon figure (see $TMP/build-cli.log)"
fi

# ---- venv with the pinned peers
FROZEN="$("$VENV/bin/pip" freeze 2>/dev/null || true)"
if ! "$VENV/bin/python" -c 'import netmiko, scrapli, matplotlib' 2>/dev/null \
    || ! grep -qx 'netmiko==4.8.0' <<<"$FROZEN" || ! grep -qx 'scrapli==2026.10.14' <<<"$FROZEN"; then
    log "creating $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$ROOT/bench/requirements.txt" >"$TMP/pip.log" 2>&1 || { tail -20 "$TMP/pip.log" >&2; exit 1; }
fi
PY="$VENV/bin/python"

# ---- the simulator: `netkeep sim` when this build has it, else the same library through netkeep-bench
SIM=("$BIN/netkeep-bench" sim)
if [ "$HAVE_CLI" = 1 ] && "$BIN/netkeep" sim --help 2>/dev/null | grep -q -- '--count' \
    && "$BIN/netkeep" sim --help 2>/dev/null | grep -q -- '--config-lines'; then
    SIM=("$BIN/netkeep" sim)
fi
AVAILABLE=$("$BIN/netkeep-bench" platforms | tr '\n' ',')
PLATFORMS=""
for p in hp_comware cisco_ios; do
    case ",$AVAILABLE" in *",$p,"*) PLATFORMS="$PLATFORMS${PLATFORMS:+,}$p" ;; *) log "WARNING: simulator has no $p; skipped" ;; esac
done
DAEMON_ARGS=()
if [ "$HAVE_CLI" = 1 ] && "$BIN/netkeep" serve --help 2>/dev/null | grep -q -- '--inventory'; then
    DAEMON_ARGS=(--daemon-bin "$BIN/netkeep" --daemon-socket "$TMP/netkeep.sock")
fi
"$PY" bench/py/plan.py --out-dir "$TMP" $QUICK --base-port "$BASE_PORT" --platforms "$PLATFORMS" \
    --config-lines "${BENCH_CONFIG_LINES:-64000}" "${DAEMON_ARGS[@]}"

log "starting simulators with: ${SIM[*]}"
n=0
while IFS=$'\t' read -r platform count port lines; do
    n=$((n + 1))
    args=(--platform "$platform" --count "$count" --port "$port")
    [ "$lines" != 0 ] && args+=(--config-lines "$lines")
    start_bg "$TMP/sim-$n.log" "${SIM[@]}" "${args[@]}"
    last=$((port + count - 1))
    wait_port "$port" && wait_port "$last" || { log "simulator $platform on $port..$last did not start:"; cat "$TMP/sim-$n.log" >&2; exit 1; }
    log "sim $platform x$count on 127.0.0.1:$port..$last"
done < "$TMP/sims.tsv"

# ---- drivers, one at a time (they share 2 cores with the simulator)
want() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
driver() { # name limit cmd...
    local name="$1" limit="$2"; shift 2
    log "running $name (limit ${limit}s)"
    local t0=$(date +%s)
    if run_fg "$limit" "$TMP/$name.log" "$@"; then
        log "$name done in $(( $(date +%s) - t0 ))s"
    else
        log "WARNING: $name failed or timed out after $(( $(date +%s) - t0 ))s; last lines:"
        tail -5 "$TMP/$name.log" >&2 || true
    fi
}
if [ -n "$QUICK" ]; then L_RS=120; L_PY=240; else L_RS=300; L_PY=420; fi
want russh-floor && driver russh-floor $L_RS "$BIN/netkeep-bench" floor --plan "$TMP/plan.json" --out "$TMP/result-russh-floor.json"
# netkeep and the baseline in alternating blocks on the same device (wall and CPU per command):
# the small-command and ~1 MB figures of both columns come from this run.
want interleaved && driver interleaved $L_RS "$BIN/netkeep-bench" interleaved --plan "$TMP/plan.json" --out "$TMP/result-interleaved.json"
if want netkeep; then
    if "$BIN/netkeep-bench" --help | grep -q '^  netkeep'; then
        SERVE_PG=""
        if [ -f "$TMP/inventory.yaml" ]; then
            rm -f "$TMP/netkeep.sock"
            log "starting netkeep serve (daemon figure)"
            NETKEEP_BENCH_PASSWORD=admin start_bg "$TMP/serve.log" "$BIN/netkeep" serve --inventory "$TMP/inventory.yaml" \
                --socket "$TMP/netkeep.sock" --no-progress
            SERVE_PG="${PGIDS[-1]}"
            for i in $(seq 1 100); do [ -S "$TMP/netkeep.sock" ] && break; sleep 0.1; done
            sleep 0.5 # let it warm its session
        fi
        driver netkeep $L_RS "$BIN/netkeep-bench" netkeep --plan "$TMP/plan.json" --out "$TMP/result-netkeep.json"
        if [ -n "$SERVE_PG" ]; then kill -TERM -- "-$SERVE_PG" 2>/dev/null || true; fi
    else
        log "WARNING: netkeep-bench was built without the netkeep driver"
    fi
fi
for t in scrapli-ssh2 scrapli-bin netmiko netmiko-tuned; do
    if want "$t"; then driver "$t" $L_PY "$PY" bench/py/peers.py --tool "$t" --plan "$TMP/plan.json" --out "$TMP/result-$t.json"; fi
done

# ---- results
AGG_README=()
[ -n "$README_UPDATE" ] && AGG_README=(--readme "$ROOT/README.md")
"$PY" bench/py/aggregate.py --tmp "$TMP" --out-dir "$OUT" --started "$STARTED" \
    --command "bench/run.sh${QUICK:+ $QUICK}" "${AGG_README[@]}" >"$TMP/aggregate.log" 2>&1 || { cat "$TMP/aggregate.log" >&2; exit 1; }
cat "$OUT/RESULTS.md"
log "wrote $OUT/results.json, $OUT/RESULTS.md, $OUT/bench.png in $(( $(date +%s) - STARTED ))s"
