#!/usr/bin/env bash
# The Python tests: a venv with `pip install .[nornir]` (the package built from this checkout),
# pytest, Netmiko 4.8, textfsm 2.1.0 and ntc-templates 9.3.0 (the differential and TextFSM
# tests), then pytest against simulated devices started by the tests themselves.
#
#   scripts/test-python.sh [PYTEST ARGS...]
#
# Env: NETKEEP_PY_VENV (default $CARGO_TARGET_DIR/py-venv), NETKEEP_BIN (default: the debug
# `netkeep` built here), CARGO_TARGET_DIR (default ./target; the wheel's build reuses it).
# Exits non-zero on any failure, and when no test ran.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${CARGO_TARGET_DIR:=$ROOT/target}"
export CARGO_TARGET_DIR
VENV="${NETKEEP_PY_VENV:-$CARGO_TARGET_DIR/py-venv}"

if [ -z "${NETKEEP_BIN:-}" ]; then
    cargo build -q -p netkeep-cli
    export NETKEEP_BIN="$CARGO_TARGET_DIR/debug/netkeep"
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q pytest netmiko==4.8.0 textfsm==2.1.0 ntc-templates==9.3.0
"$VENV/bin/pip" install -q "$ROOT[nornir]"
# TextFSM templates as Netmiko finds them: the ntc-templates package of the venv.
unset NET_TEXTFSM
# pytest exits 5 when it collected nothing: that is a failure here too.
set +e
"$VENV/bin/python" -m pytest -q -p no:cacheprovider crates/netkeep-py/tests "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
    echo "test-python: pytest ran no test" >&2
    exit 1
fi
exit "$code"
