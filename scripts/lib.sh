# Shared helpers for scripts/soak.sh and scripts/schemathesis.sh (source it; bash only).
# Builds the release `netkeep` binary, starts simulated devices and a daemon on loopback, and
# cleans everything up on exit. Nothing here touches anything but processes it started itself.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CARGO_TARGET_DIR:=$ROOT/target}"
export CARGO_TARGET_DIR
NETKEEP="$CARGO_TARGET_DIR/release/netkeep"
NK_PIDS=()

nk_log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

nk_build() {
    nk_log "building release netkeep (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$ROOT" && cargo build --release -q -p netkeep-cli) || { nk_log "build failed"; exit 1; }
}

nk_cleanup() {
    local p
    for p in "${NK_PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${NK_PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    NK_PIDS=()
}

# nk_start_sims WORKDIR COUNT [extra netkeep sim args...]: starts COUNT devices on free ports;
# waits until all are listed in WORKDIR/sims.txt (platform, hostname, address per line).
nk_start_sims() {
    local work=$1 count=$2
    shift 2
    : >"$work/sims.txt"
    "$NETKEEP" sim --count "$count" --port 0 --password-file "$work/pw" "$@" \
        >"$work/sims.txt" 2>"$work/sims.log" &
    NK_PIDS+=($!)
    SIM_PID=$!
    for _ in $(seq 1 600); do
        [ "$(wc -l <"$work/sims.txt")" -ge "$count" ] && return 0
        kill -0 "$SIM_PID" 2>/dev/null || { nk_log "netkeep sim died:"; tail "$work/sims.log" >&2; exit 1; }
        sleep 0.1
    done
    nk_log "simulated devices did not start"; exit 1
}

# nk_inventory WORKDIR [host settings]: writes WORKDIR/netkeep.yaml for every device in sims.txt
# (names d0001...), group `all`, password from WORKDIR/pw.
nk_inventory() {
    local work=$1 extra=${2:-}
    {
        printf 'defaults:\n  username: admin\n  password_file: pw\n  platform: hp_comware\n'
        printf '  known_hosts_file: %s/known_hosts\n  connect_timeout: 10s\n' "$work"
        printf 'groups:\n  all: {}\nhosts:\n'
        awk -v extra="$extra" '{ split($3, a, ":"); printf "  d%04d: { hostname: %s, port: %s, groups: [all]%s }\n", NR, a[1], a[2], (extra == "" ? "" : ", " extra) }' "$work/sims.txt"
    } >"$work/netkeep.yaml"
}

# nk_start_daemon WORKDIR [extra netkeep serve args...]: starts `netkeep serve` on WORKDIR/nk.sock,
# logs to WORKDIR/daemon.log; waits for the socket.
nk_start_daemon() {
    local work=$1
    shift
    "$NETKEEP" serve --inventory "$work/netkeep.yaml" --socket "$work/nk.sock" --no-progress "$@" \
        >"$work/daemon.out" 2>"$work/daemon.log" &
    NK_PIDS+=($!)
    DAEMON_PID=$!
    for _ in $(seq 1 300); do
        [ -S "$work/nk.sock" ] && return 0
        kill -0 "$DAEMON_PID" 2>/dev/null || { nk_log "daemon died:"; tail "$work/daemon.log" >&2; exit 1; }
        sleep 0.1
    done
    nk_log "daemon socket did not appear"; exit 1
}

# nk_api WORKDIR METHOD PATH [JSON]: one API call over the Unix socket; prints the body.
nk_api() {
    local work=$1 method=$2 path=$3 body=${4:-}
    if [ -n "$body" ]; then
        curl -sS --max-time 600 --unix-socket "$work/nk.sock" -X "$method" -H 'Content-Type: application/json' --data "$body" "http://localhost$path"
    else
        curl -sS --max-time 600 --unix-socket "$work/nk.sock" -X "$method" "http://localhost$path"
    fi
}

# nk_usage PID: "rss_kib fds threads" of a process.
nk_usage() {
    local pid=$1
    local rss thr fds
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    thr=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    echo "${rss:-0} ${fds:-0} ${thr:-0}"
}

# nk_memory PID: "rss_anon_kib rss_file_kib vm_data_kib" of a process. VmData is the address
# space the allocator has taken for data; RSS growing towards it while the allocator's live bytes
# stay flat is pages of that space being touched, not a leak.
nk_memory() {
    awk '/^RssAnon:/ {a = $2} /^RssFile:/ {f = $2} /^VmData:/ {d = $2}
        END { printf "%d %d %d\n", a, f, d }' "/proc/$1/status" 2>/dev/null || echo "0 0 0"
}
