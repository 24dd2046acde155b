#!/usr/bin/env bash
# Netmiko 4.8's own device tests (test_netmiko_show.py, test_netmiko_config.py) against
# `netkeep sim` devices, the way Netmiko's maintainers run them against real ones.
#
# Usage: run.sh [path/to/netkeep]
#   NETKEEP_PYTHON  Python with netmiko 4.8.0, pytest, pyyaml, textfsm, ntc-templates
#                   (default: python3)
#   PLATFORMS       the devices to test (default: all five below)
#   NETMIKO_SDIST   a netmiko-4.8.0.tar.gz already downloaded (default: fetched from PyPI)
#   PYTEST_ARGS     more pytest arguments (e.g. --durations=10)
#
# Netmiko's test files come from its source distribution at run time; this directory holds only
# what points them at the simulator (test_devices.yml, commands.yml, responses.yml). Tests that
# need TTP or Genie (optional packages) are deselected. Exit status 0 only if all pass.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
netkeep="$(realpath "${1:-${NETKEEP_BIN:-netkeep}}" 2>/dev/null || command -v netkeep)"
python="${NETKEEP_PYTHON:-python3}"
platforms="${PLATFORMS:-cisco_ios hp_comware arista_eos juniper_junos cisco_nxos}"
work="$(mktemp -d "${TMPDIR:-/tmp}/netkeep-netmiko.XXXXXX")"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Netmiko's tests, from its sdist.
sdist="${NETMIKO_SDIST:-}"
if [ -z "$sdist" ]; then
  "$python" -m pip download -q --no-binary :all: --no-deps netmiko==4.8.0 -d "$work"
  sdist="$work/netmiko-4.8.0.tar.gz"
fi
tar xzf "$sdist" -C "$work"
tests="$work/netmiko-4.8.0/tests"
cp "$here/commands.yml" "$here/responses.yml" "$tests/etc/"
cp "$here/test_devices.yml" "$tests/etc/test_devices.yml"

# One simulated device per platform on a free port; its port goes into test_devices.yml.
# IOS logs admin in at privilege 15 (`username admin privilege 15` with `login local`), as on
# the devices Netmiko's maintainers test: its extended-ping tests need privileged EXEC.
for p in $platforms; do
  extra=()
  [ "$p" = cisco_ios ] && extra=(--privileged-login)
  "$netkeep" sim --platform "$p" --port 0 "${extra[@]}" >"$work/$p.addr" 2>"$work/$p.log" &
  pids+=($!)
done
for p in $platforms; do
  for _ in $(seq 100); do
    [ -s "$work/$p.addr" ] && break
    sleep 0.1
  done
  addr="$(cut -f3 "$work/$p.addr")"
  [ -n "$addr" ] || { echo "netmiko devices: $p did not start: $(cat "$work/$p.log")" >&2; exit 1; }
  sed -i "s/@PORT_${p}@/${addr##*:}/" "$tests/etc/test_devices.yml"
done
# Devices not under test keep a harmless port (the file must stay valid YAML).
sed -i 's/@PORT_[a-z_]*@/1/' "$tests/etc/test_devices.yml"

cd "$tests"
failed=()
for p in $platforms; do
  echo "netmiko devices: $p"
  if ! "$python" -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-} -k "not ttp and not genie" \
      test_netmiko_show.py test_netmiko_config.py --test_device "$p"; then
    failed+=("$p")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "netmiko devices: FAILED on ${failed[*]}" >&2
  exit 1
fi
echo "netmiko devices: all passed ($platforms)"
