#!/usr/bin/env bash
# Soak test (not CI): SOAK_DEVICES simulated hp_comware devices kept warm by `netkeep serve` for
# SOAK_MINUTES, with random faults at SOAK_FAULT_RATE per device per minute (netkeep sim
# --fault-rate; lasting faults held 5 s, reboots 5 s down). Every SOAK_EXEC_EVERY seconds one
# command is fanned out to every device. Reports: sessions recovered, commands failed and why,
# the daemon's RSS / open files / threads at start and end (each minute in usage.tsv, with the
# RSS split into anonymous and file pages, the data address space and the reconnects so far), the
# RSS slope over the last hour, and whether the password showed up anywhere (daemon log, API
# answers, status).
#
#   scripts/soak.sh                                   # 1,000 devices, 30 minutes, 1 %/min
#   SOAK_DEVICES=200 SOAK_MINUTES=5 scripts/soak.sh   # scaled down
#
# Other knobs: SOAK_FAULTS (comma list, netkeep sim names), SOAK_IDLE_TIMEOUT (device idle
# timeout, default 30s: keepalive every 10 s), SOAK_DIR (work dir, kept), SOAK_LOG (daemon log
# filter, default info). Needs curl and jq. Loopback only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DEVICES=${SOAK_DEVICES:-1000}
MINUTES=${SOAK_MINUTES:-30}
RATE=${SOAK_FAULT_RATE:-0.01}
FAULTS=${SOAK_FAULTS:-stall,reset,reboot,slow-drip,garbage,unsolicited,prompt-in-output}
EXEC_EVERY=${SOAK_EXEC_EVERY:-60}
IDLE=${SOAK_IDLE_TIMEOUT:-30s}
WORK=${SOAK_DIR:-$(mktemp -d /tmp/netkeep-soak.XXXXXX)}
mkdir -p "$WORK"
for t in curl jq; do command -v $t >/dev/null || { echo "soak.sh needs $t" >&2; exit 2; }; done
trap nk_cleanup EXIT

nk_build
PW="soak-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)"
printf '%s\n' "$PW" >"$WORK/pw"
chmod 600 "$WORK/pw"
fault_args=()
for f in ${FAULTS//,/ }; do fault_args+=(--fault "$f"); done
rate_s=$(awk -v r="$RATE" 'BEGIN { printf "%.8f", r / 60 }')

nk_log "work dir $WORK: $DEVICES devices, $MINUTES min, faults {$FAULTS} at $RATE/device/min ($rate_s/s)"
ulimit -n 65536 2>/dev/null || true
# The simulators log each injected fault at info.
NETKEEP_LOG=netkeep_sim=info nk_start_sims "$WORK" "$DEVICES" --idle-timeout "$IDLE" --fault-rate "$rate_s" "${fault_args[@]}"
nk_inventory "$WORK" "idle_timeout: $IDLE"
NETKEEP_LOG=${SOAK_LOG:-info} nk_start_daemon "$WORK"

t_warm=$(date +%s.%N)
for _ in $(seq 1 600); do
    ready=$(nk_api "$WORK" GET /v1/sessions | jq '[.[] | select(.state == "ready")] | length')
    [ "$ready" -ge "$DEVICES" ] && break
    sleep 0.5
done
warm_s=$(awk -v a="$t_warm" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
nk_log "warm: $ready/$DEVICES ready after ${warm_s}s"
sleep 5 # let warm-up garbage settle before the baseline
read -r rss0 fds0 thr0 <<<"$(nk_usage "$DAEMON_PID")"
read -r anon0 file0 data0 <<<"$(nk_memory "$DAEMON_PID")"
# Columns after `ready`: where the RSS is (anonymous / file pages), the data address space, and
# the sessions reopened so far (RSS per reconnect).
printf 'minute\trss_kib\tfds\tthreads\tready\trss_anon_kib\trss_file_kib\tvm_data_kib\treconnects\n' >"$WORK/usage.tsv"
printf '0\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t0\n' "$rss0" "$fds0" "$thr0" "$ready" "$anon0" "$file0" "$data0" >>"$WORK/usage.tsv"

start=$(date +%s)
end=$((start + MINUTES * 60))
round=0
next_sample=$((start + 60))
: >"$WORK/exec-summary.tsv"
while [ "$(date +%s)" -lt "$end" ]; do
    round=$((round + 1))
    t0=$(date +%s.%N)
    nk_api "$WORK" POST /v1/exec '{"group":"all","commands":["display clock"],"read_timeout_ms":10000}' >"$WORK/exec-$round.json" || true
    t1=$(date +%s.%N)
    jq -r --arg r "$round" --arg s "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')" '
        [.results[]] as $rs
        | ($rs | map(select(.ok)) | length) as $ok
        | ($rs | map(select(.ok and ((.outputs[0].output // "") | test("[0-9]{2}:[0-9]{2}:[0-9]{2}") | not))) | length) as $polluted
        | "\($r)\t\($s)\t\($rs | length)\t\($ok)\t\(($rs | length) - $ok)\t\($polluted)"' \
        "$WORK/exec-$round.json" >>"$WORK/exec-summary.tsv" 2>/dev/null || printf '%s\tERR\n' "$round" >>"$WORK/exec-summary.tsv"
    while [ "$(date +%s)" -lt "$((start + round * EXEC_EVERY))" ] && [ "$(date +%s)" -lt "$end" ]; do
        if [ "$(date +%s)" -ge "$next_sample" ]; then
            read -r rss fds thr <<<"$(nk_usage "$DAEMON_PID")"
            read -r anon file data <<<"$(nk_memory "$DAEMON_PID")"
            read -r rd rc <<<"$(nk_api "$WORK" GET /v1/sessions | jq -r '"\([.[] | select(.state == "ready")] | length) \(map(.reconnects) | add)"')"
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(((next_sample - start) / 60))" "$rss" "$fds" "$thr" "$rd" "$anon" "$file" "$data" "$rc" >>"$WORK/usage.tsv"
            next_sample=$((next_sample + 60))
        fi
        sleep 1
    done
done

nk_api "$WORK" GET /v1/sessions >"$WORK/status.json"
nk_api "$WORK" GET /metrics >"$WORK/metrics.txt"
read -r rss1 fds1 thr1 <<<"$(nk_usage "$DAEMON_PID")"
read -r anon1 file1 data1 <<<"$(nk_memory "$DAEMON_PID")"
kill -TERM "$SIM_PID" 2>/dev/null || true # sims print their counters on exit
for _ in $(seq 1 100); do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.1; done
kill -TERM "$DAEMON_PID" 2>/dev/null || true
for _ in $(seq 1 150); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done

{
    echo "== netkeep soak: $DEVICES devices, $MINUTES min, faults {$FAULTS} at $RATE per device per minute"
    echo "warm-up: $ready/$DEVICES ready in ${warm_s}s"
    echo "faults injected (sim log): $(grep -c 'injecting fault' "$WORK/sims.log" || true) — $(sed 's/\x1b\[[0-9;]*m//g' "$WORK/sims.log" | grep 'injecting fault' | grep -o 'fault=[A-Za-z]*' | sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 }' | sed 's/fault=//g; s/, $//')"
    jq -r '"devices by final state: " + ([group_by(.state)[] | "\(.[0].state)=\(length)"] | join(" "))' "$WORK/status.json"
    jq -r '"sessions recovered (reconnects after a drop): \(map(.reconnects) | add); drops seen: \(map(.drops) | add); devices that dropped at least once: \(map(select(.drops > 0)) | length)"' "$WORK/status.json"
    awk -F'\t' '$2 != "ERR" { n += $3; ok += $4; f += $5; p += $6; r++ } END { printf "commands: %d in %d fan-out rounds; ok %d, failed %d (%.3f %%), ok but output polluted by faults %d\n", n, r, ok, f, (n ? 100 * f / n : 0), p }' "$WORK/exec-summary.tsv"
    echo "failures by kind and reason:"
    cat "$WORK"/exec-*.json 2>/dev/null | jq -r '.results[]? | select(.ok | not) | "\(.error_kind // "?")\t\((.error // .outputs[-1].error // "?") | gsub("d[0-9]{4}"; "DEV") | gsub("[0-9]+(\\.[0-9]+)?"; "N") | .[0:110])"' | sort | uniq -c | sort -rn | head -15
    echo "fan-out round time (s): $(awk -F'\t' '$2 != "ERR" { printf "%s ", $2 }' "$WORK/exec-summary.tsv")"
    printf 'daemon at start: RSS %s KiB, open files %s, threads %s\n' "$rss0" "$fds0" "$thr0"
    printf 'daemon at end:   RSS %s KiB, open files %s, threads %s\n' "$rss1" "$fds1" "$thr1"
    printf 'daemon memory (KiB) start -> end: anonymous %s -> %s, file %s -> %s, data address space %s -> %s\n' \
        "$anon0" "$anon1" "$file0" "$file1" "$data0" "$data1"
    echo "per-minute samples: $WORK/usage.tsv"
    # The verdict on memory: the least-squares RSS slope over the last hour (the whole run when
    # shorter), in % of that hour's mean RSS per hour; flat means <= 1 %/h. Then where the growth
    # is: the same slope for the anonymous RSS and for the data address space the allocator holds
    # (VmData), the reconnects in that window, and the room left under VmData. A flat VmData with
    # a rising anonymous RSS is pages already held being written for the first time: RSS can rise
    # by at most the room left unless VmData grows too.
    awk -F'\t' -v last="$MINUTES" '
        function slope(sy, sxy) { return (n * sxy - x * sy) / (n * xx - x * x) }
        NR > 1 && $1 >= last - 60 && $1 > 0 {
            n++; x += $1; xx += $1 * $1; y += $2; xy += $1 * $2
            if ($6 != "") {
                na++; ya += $6; xya += $1 * $6; yd += $8; xyd += $1 * $8
                if (first == "") { first = $9; fm = $1 }; lastrc = $9; lm = $1; room = $8 - $6 }
        }
        END { if (n < 3) { print "RSS slope: too few samples"; exit }
              b = slope(y, xy); m = y / n; pct = 100 * b * 60 / m
              printf "RSS slope over minutes %d-%d: %+.1f KiB/min = %+.2f %% per hour of the mean %.1f MB: %s\n",
                  (last > 60 ? last - 60 : 1), last, b, pct, m / 1024, (pct <= 1 ? "flat (<= 1 %/h)" : "growing (> 1 %/h)")
              if (na < n) exit
              ba = slope(ya, xya); bd = slope(yd, xyd)
              rph = (lm > fm ? 60 * (lastrc - first) / (lm - fm) : 0)
              printf "same window: anonymous RSS %+.1f KiB/min, data address space (VmData) %+.1f KiB/min; %d reconnects (%.0f per hour, %.1f KiB of anonymous RSS each); room under VmData at the end %.1f MB\n",
                  ba, bd, lastrc - first, rph, (lastrc > first ? ba * (lm - fm) / (lastrc - first) : 0), room / 1024 }' "$WORK/usage.tsv"
    awk '/connections/ { for (i = 1; i <= NF; i++) if ($i ~ /^(connections|opened|idle_timeouts|vty_refused|commands|auth_failures)$/) s[$i] += $(i + 1) } END { printf "simulators saw: connections %d, sessions opened %d, idle timeouts %d, VTY refusals %d, command lines %d, auth failures %d\n", s["connections"], s["opened"], s["idle_timeouts"], s["vty_refused"], s["commands"], s["auth_failures"] }' "$WORK/sims.log"
    leaks=$( (grep -l -F -- "$PW" "$WORK/daemon.log" "$WORK/daemon.out" "$WORK"/exec-*.json "$WORK/status.json" "$WORK/metrics.txt" 2>/dev/null || true) | wc -l)
    echo "password found in daemon log / API answers / status / metrics: $leaks file(s)"
} | tee "$WORK/report.txt"
