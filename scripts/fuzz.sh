#!/usr/bin/env bash
# Runs each fuzz target for a bounded time and reports executions and crashes.
#
#   scripts/fuzz.sh                         # every target, 60 s each, libFuzzer if it works
#   FUZZ_SECONDS=300 FUZZ_TARGETS="clean_output inventory" scripts/fuzz.sh
#   FUZZ_ENGINE=stable scripts/fuzz.sh      # the stable-Rust driver only
#   FUZZ_RUNS=10000000 FUZZ_SECONDS=7200 scripts/fuzz.sh   # a campaign: 10 M executions each
#                                           # (libFuzzer stops at FUZZ_RUNS or FUZZ_SECONDS)
#   FUZZ_FLAGS=--no-trace-compares FUZZ_TARGETS=textfsm scripts/fuzz.sh
#                                           # extra cargo-fuzz build flags (here: no comparison
#                                           # tracing, ~3x the executions for textfsm, whose time
#                                           # is the regex crates' compare-heavy loops)
#   FUZZ_TIMEOUT=300 ...                    # seconds one input may take (default 20; wall
#                                           # clock, so a campaign at nice 19 beside a build
#                                           # needs more)
#
# The corpus is kept in the repository (fuzz/corpus/<target>/, minimised after a campaign with
# `cargo fuzz cmin`), so each campaign starts where the last one ended.
#
# Targets (bodies in crates/netkeep-reliability/src/fuzz.rs): clean_output (netkeep-channel
# cleaning + read buffer), prompt_match (netkeep-platform prompts/pagers/failures),
# inventory (netkeep-keeper inventory parser), sim_input (netkeep-sim engine, every platform, through netkeep_sim::Console),
# telnet_codec (netkeep-transport's telnet parser and encoders), textfsm (netkeep-parse: template
# text, output text, Python patterns; libFuzzer only, with fuzz/textfsm.dict).
#
# Engines: libFuzzer through cargo-fuzz (needs nightly flags: we set RUSTC_BOOTSTRAP=1 on the
# stable toolchain; `cargo install cargo-fuzz` once), else the stable driver `netkeep-fuzz`
# (mutations from a seed corpus, no coverage feedback). Crashes land in
# fuzz/artifacts/<target>/; copy a minimised one to fuzz/regressions/<target>/ to make it a
# regression test (crates/netkeep-reliability/tests/fuzz_regressions.rs replays them).
#
# Runs of 10 minutes or more are campaign runs: each is appended to fuzz/campaigns.tsv (when,
# target, engine, the git tree of the code it fuzzed, executions, crashes, flags), and the run
# ends with the total on that code over all recorded runs. FUZZ_RECORD=0 or 1 overrides.
# Exit code: 1 if any target crashed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-60}
RUNS=${FUZZ_RUNS:--1}
# libFuzzer's inputs stay at most this long (its default would be the largest seed, 64 KiB
# recordings, where one unterminated line makes each run scan the line per chunk); the test
# suite's stable driver and the regressions keep the long inputs.
MAX_LEN=${FUZZ_MAX_LEN:-4096}
TARGETS=${FUZZ_TARGETS:-clean_output prompt_match inventory sim_input telnet_codec textfsm}
ENGINE=${FUZZ_ENGINE:-auto}
# Word-split on purpose: several cargo-fuzz flags may be given.
read -r -a FLAGS <<<"${FUZZ_FLAGS:-}"
TIMEOUT=${FUZZ_TIMEOUT:-20}
: "${CARGO_TARGET_DIR:=$ROOT/target}"
export CARGO_TARGET_DIR
FUZZ_TARGET_DIR=${FUZZ_TARGET_DIR:-$CARGO_TARGET_DIR-fuzz}
SHARED_FIXTURES=${NETKEEP_FIXTURES:-$ROOT/../shared/fixtures/device-output}
RECORD=${FUZZ_RECORD:-$([ "$SECONDS_EACH" -ge 600 ] && echo 1 || echo 0)}
CAMPAIGNS=$ROOT/fuzz/campaigns.tsv
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Seed corpus per target: recordings, our seeds, and every regression input.
seed_corpus() {
    local t=$1 dir="$ROOT/fuzz/corpus/$1"
    mkdir -p "$dir"
    case $t in
        clean_output | prompt_match)
            cp -n "$ROOT"/crates/netkeep-channel/tests/fixtures/*.raw "$dir/" 2>/dev/null
            [ -d "$SHARED_FIXTURES" ] && find "$SHARED_FIXTURES" -type f -name '*.raw' -size -64k -exec cp -n {} "$dir/" \; 2>/dev/null
            ;;
    esac
    cp -n "$ROOT"/fuzz/seeds/"$t"/* "$dir/" 2>/dev/null
    cp -n "$ROOT"/fuzz/regressions/"$t"/* "$dir/" 2>/dev/null
    # Known open crashes would stop libFuzzer at once: keep them out of the corpus.
    rm -f "$dir"/open-*
    echo "$dir"
}

# The code a target exercises: its crate, and the shared target bodies where they live.
target_paths() {
    case $1 in
        clean_output) echo crates/netkeep-channel crates/netkeep-reliability/src/fuzz.rs ;;
        prompt_match) echo crates/netkeep-platform crates/netkeep-reliability/src/fuzz.rs ;;
        inventory) echo crates/netkeep-keeper crates/netkeep-reliability/src/fuzz.rs ;;
        sim_input) echo crates/netkeep-sim crates/netkeep-reliability/src/fuzz.rs ;;
        telnet_codec) echo crates/netkeep-transport crates/netkeep-reliability/src/fuzz.rs ;;
        textfsm) echo crates/netkeep-parse ;;
    esac
}

# A short name for that code: the git tree of its paths at HEAD, "+dirty" if they differ from it.
code_id() {
    local paths ids
    read -r -a paths <<<"$(target_paths "$1")"
    ids=$(cd "$ROOT" && for p in "${paths[@]}"; do git rev-parse "HEAD:$p"; done | sha1sum | cut -c1-12)
    (cd "$ROOT" && git diff --quiet HEAD -- "${paths[@]}") || ids="$ids+dirty"
    echo "$ids"
}

# Appends one run to fuzz/campaigns.tsv and prints the total on the same code.
record_run() {
    local t=$1 engine=$2 started=$3 execs=$4 crashes=$5 code
    [ "$RECORD" = 1 ] || return 0
    code=$(code_id "$t")
    [ -f "$CAMPAIGNS" ] || printf 'started_utc\ttarget\tengine\tcode\tcommit\tseconds\texecutions\tcrashes\tflags\n' >"$CAMPAIGNS"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$started" "$t" "$engine" "$code" \
        "$(cd "$ROOT" && git rev-parse --short=12 HEAD)" "$(($(date +%s) - $(date -d "$started" +%s)))" \
        "$execs" "$crashes" "${FUZZ_FLAGS:--}" >>"$CAMPAIGNS"
    awk -F'\t' -v t="$t" -v c="$code" '$2 == t && $4 == c { n++; e += $7; x += $8 }
        END { printf "    campaign on this code (%s): %d runs, %d executions, %d crashes (fuzz/campaigns.tsv)\n", c, n, e, x }' "$CAMPAIGNS"
}

libfuzzer_ok() {
    [ "$ENGINE" = stable ] && return 1
    command -v cargo-fuzz >/dev/null || { log "cargo-fuzz not installed (cargo install cargo-fuzz): using the stable driver"; return 1; }
    log "building libFuzzer targets (RUSTC_BOOTSTRAP=1, no sanitizer, release)"
    (cd "$ROOT/fuzz" && CARGO_TARGET_DIR="$FUZZ_TARGET_DIR" RUSTC_BOOTSTRAP=1 cargo fuzz build -s none -O "${FLAGS[@]}" >"$FUZZ_TARGET_DIR.build.log" 2>&1) && return 0
    log "cargo fuzz build failed (see $FUZZ_TARGET_DIR.build.log): using the stable driver"
    return 1
}

run_libfuzzer() {
    local t=$1 corpus out
    corpus=$(seed_corpus "$t")
    mkdir -p "$ROOT/fuzz/artifacts/$t"
    # In-process, its output in $out: with -jobs the worker logs to fuzz-0.log in the fuzz
    # folder, which two campaigns running at once would both write.
    out=$(mktemp)
    local started
    started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    # A target's own dictionary where it has one (textfsm: template keywords), else netkeep's.
    local dict="$ROOT/fuzz/$t.dict"
    [ -f "$dict" ] || dict="$ROOT/fuzz/netkeep.dict"
    (cd "$ROOT/fuzz" && CARGO_TARGET_DIR="$FUZZ_TARGET_DIR" RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O "${FLAGS[@]}" "$t" "$corpus" -- \
        -max_total_time="$SECONDS_EACH" -runs="$RUNS" -max_len="$MAX_LEN" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout="$TIMEOUT" \
        -dict="$dict" -print_final_stats=1 \
        -artifact_prefix="$ROOT/fuzz/artifacts/$t/" >"$out" 2>&1)
    local rc=$?
    local execs crashes
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out" | grep -o '[0-9]*$' | tail -1)
    [ -z "$execs" ] && execs=$(grep -o '#[0-9]*' "$out" | tail -1 | tr -d '#')
    crashes=$(find "$ROOT/fuzz/artifacts/$t" -type f -newer "$out" \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
    printf '%-13s libfuzzer  execs=%-10s crashes=%s rc=%s\n' "$t" "${execs:-?}" "$crashes" "$rc"
    record_run "$t" libfuzzer "$started" "${execs:-0}" "$crashes"
    grep -E '^==[0-9]+== ERROR|panicked at|deadly signal|out-of-memory|malloc\(' "$out" | head -3 | sed 's/^/    /'
    find "$ROOT/fuzz/artifacts/$t" -type f -newer "$out" | sed 's/^/    artifact: /'
    cp "$out" "$ROOT/fuzz/artifacts/$t/last-run.log"
    rm -f "$out"
    [ "$crashes" = 0 ] && [ "$rc" = 0 ]
}

run_stable() {
    local t=$1 corpus line rc
    if [ "$t" = textfsm ]; then
        # netkeep-parse is not a dependency of the stable driver's crate.
        printf '%-13s stable     skipped: libFuzzer only\n' "$t"
        return 0
    fi
    corpus=$(seed_corpus "$t")
    local started
    started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    line=$("$CARGO_TARGET_DIR/release/netkeep-fuzz" "$t" --seconds "$SECONDS_EACH" --corpus "$corpus" \
        --artifacts "$ROOT/fuzz/artifacts" 2> >(grep -v '^$' | sed 's/^/    /' >&2))
    rc=$?
    printf '%-13s stable     %s rc=%s\n' "$t" "$(echo "$line" | head -1)" "$rc"
    echo "$line" | tail -n +2 | sed 's/^/    /'
    record_run "$t" stable "$started" "$(echo "$line" | grep -o ' execs=[0-9]*' | head -1 | cut -d= -f2)" \
        "$(echo "$line" | grep -o ' crashes=[0-9]*' | head -1 | cut -d= -f2)"
    if [ "$rc" = 70 ]; then
        echo "    deadly crash: input saved as $ROOT/fuzz/artifacts/$t/crash-pending"
    fi
    [ "$rc" = 0 ]
}

use_libfuzzer=0
if [ "$ENGINE" != stable ] && libfuzzer_ok; then use_libfuzzer=1; fi
if [ "$use_libfuzzer" = 0 ] || [ "$ENGINE" = both ]; then
    log "building the stable driver (release)"
    (cd "$ROOT" && cargo build --release -q -p netkeep-reliability --bin netkeep-fuzz) || exit 2
fi
failed=0
log "targets: $TARGETS; $SECONDS_EACH s each"
for t in $TARGETS; do
    if [ "$use_libfuzzer" = 1 ]; then
        run_libfuzzer "$t" || failed=1
    fi
    if [ "$use_libfuzzer" = 0 ] || [ "$ENGINE" = both ]; then
        run_stable "$t" || failed=1
    fi
done
exit $failed
