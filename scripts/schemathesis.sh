#!/usr/bin/env bash
# Property-based fuzzing of the daemon's HTTP API from its OpenAPI document
# (crates/netkeep-keeper/openapi.yaml) with schemathesis, bounded. Starts two simulated devices
# (one named core-sw1, as in the document's examples) and `netkeep serve --listen` on a free
# loopback port with a bearer token, then runs every check schemathesis has. Also greps the
# daemon's TRACE log and schemathesis' report for the device password. `POST /v1/shutdown` is
# left out: it would stop the daemon under test.
#
#   scripts/schemathesis.sh                    # 100 examples per operation
#   ST_MAX_EXAMPLES=20 scripts/schemathesis.sh
#
# The venv lives in ST_VENV (default $CARGO_TARGET_DIR/schemathesis-venv); schemathesis is
# pinned by ST_VERSION. Exit code: schemathesis' own (non-zero when a check failed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

MAX=${ST_MAX_EXAMPLES:-100}
VERSION=${ST_VERSION:-4.32.5}
VENV=${ST_VENV:-$CARGO_TARGET_DIR/schemathesis-venv}
WORK=${ST_DIR:-$(mktemp -d /tmp/netkeep-st.XXXXXX)}
mkdir -p "$WORK"
trap nk_cleanup EXIT

if [ ! -x "$VENV/bin/st" ] && [ ! -x "$VENV/bin/schemathesis" ]; then
    nk_log "creating venv $VENV with schemathesis $VERSION"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$VERSION"
fi
ST="$VENV/bin/schemathesis"
nk_build

PW="st-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16)"
printf '%s\n' "$PW" >"$WORK/pw"
TOKEN="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
printf '%s\n' "$TOKEN" >"$WORK/token"
chmod 600 "$WORK/pw" "$WORK/token"
nk_start_sims "$WORK" 2
{
    printf 'defaults:\n  username: admin\n  password_file: pw\n  platform: hp_comware\n'
    printf '  known_hosts_file: %s/known_hosts\n  connect_timeout: 5s\n' "$WORK"
    printf 'groups:\n  core: {}\nhosts:\n'
    awk '{ split($3, a, ":"); printf "  %s: { hostname: %s, port: %s, groups: [core] }\n", (NR == 1 ? "core-sw1" : "core-sw2"), a[1], a[2] }' "$WORK/sims.txt"
} >"$WORK/netkeep.yaml"
NETKEEP_LOG=trace nk_start_daemon "$WORK" --listen 127.0.0.1:0 --token-file "$WORK/token"
URL=""
for _ in $(seq 1 100); do
    URL=$(grep -o 'serving on http://[0-9.:]*' "$WORK/daemon.log" | head -1 | sed 's/serving on //') && [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { nk_log "no TCP address in the daemon log"; exit 1; }
nk_log "daemon at $URL; schemathesis $VERSION, $MAX examples per operation; work dir $WORK"

set +e
"$ST" run "$ROOT/crates/netkeep-keeper/openapi.yaml" \
    --url "$URL" \
    -H "Authorization: Bearer $TOKEN" \
    --checks all \
    --exclude-operation-id shutdown \
    --max-examples "$MAX" \
    --request-timeout 30 \
    --seed "${ST_SEED:-20261126}" \
    --no-color 2>&1 | tee "$WORK/schemathesis.txt"
rc=${PIPESTATUS[0]}
set -e

alive=$(curl -sS --max-time 10 -H "Authorization: Bearer $TOKEN" "$URL/v1/exec" -H 'Content-Type: application/json' \
    --data '{"device":"core-sw1","commands":["display clock"]}' | jq -r '.ok' 2>/dev/null || echo no)
leaks=$( (grep -c -F -- "$PW" "$WORK/daemon.log" "$WORK/schemathesis.txt" || true) | awk -F: '{ s += $2 } END { print s + 0 }')
nk_log "after the run: daemon alive=$(kill -0 "$DAEMON_PID" 2>/dev/null && echo yes || echo no), valid exec ok=$alive, password occurrences in TRACE log + report: $leaks"
nk_log "daemon TRACE log: $(wc -l <"$WORK/daemon.log") lines ($WORK/daemon.log)"
[ "$leaks" = 0 ] || rc=3
exit "$rc"
