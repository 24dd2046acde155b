#!/usr/bin/env bash
# The Python package's tests: builds the abi3 wheel with maturin inside a venv, installs it with
# its Nornir extra, then runs pytest against simulated devices the tests start themselves
# (Netmiko 4.8 for the differential tests, textfsm 2.1.0 + ntc-templates 9.3.0 for TextFSM).
# `scripts/test.sh` (the README's test command) runs this with its venv; alone it makes its own.
#
#   scripts/test-python.sh [PYTEST ARGS...]
#
# Env: NETKEEP_VENV (default $CARGO_TARGET_DIR/py-venv), NETKEEP_BIN (default: the debug
# `netkeep` built here), CARGO_TARGET_DIR (default ./target; the wheel's build reuses it).
# Exits non-zero on any failure, and when no test ran.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
: "${CARGO_TARGET_DIR:=$ROOT/target}"
export CARGO_TARGET_DIR
VENV="${NETKEEP_VENV:-$CARGO_TARGET_DIR/py-venv}"

if [ -z "${NETKEEP_BIN:-}" ]; then
    cargo build -q -p netkeep-cli
    export NETKEEP_BIN="$CARGO_TARGET_DIR/debug/netkeep"
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "maturin>=1.7,<2" pytest netmiko==4.8.0 nornir==3.6.0 \
    textfsm==2.1.0 ntc-templates==9.3.0
# The wheel users get from `pip install .` (same pyproject, release profile), built here so a
# stale installed copy can never be what is tested.
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
"$VENV/bin/maturin" build --quiet --release --interpreter "$VENV/bin/python" --out "$wheels"
wheel=$(ls "$wheels"/netkeep-*-abi3-*.whl)
"$VENV/bin/pip" install -q --force-reinstall --no-deps "$wheel"
# The installed package, not the source tree, is what the tests import.
cd "$ROOT/crates/netkeep-py/tests"
if "$VENV/bin/python" -c 'import netkeep, sys; sys.exit("/crates/" in netkeep.__file__)'; then :; else
    echo "test-python: netkeep imported from the source tree, not the wheel" >&2
    exit 1
fi
# TextFSM templates as Netmiko finds them without NET_TEXTFSM: the venv's ntc-templates.
unset NET_TEXTFSM
# pytest exits 5 when it collected nothing: that is a failure here too.
set +e
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/crates/netkeep-py/tests" "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
    echo "test-python: pytest ran no test" >&2
    exit 1
fi
exit "$code"
