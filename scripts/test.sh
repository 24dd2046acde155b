#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh Debian/Ubuntu machine (apt
# packages, a Python venv with the pinned peers), then runs every test, Rust and Python.
# CI (`.ci/run`) calls exactly this. Re-runs skip what is already installed.
#
#   scripts/test.sh                 # everything
#   NETKEEP_VENV=/path scripts/test.sh   # use/make the venv there (default $TMPDIR/netkeep-ci-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

export DEBIAN_FRONTEND=noninteractive
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
# The bastion tests (crates/netkeep-cli/tests/reach) hold the jump host's key in a real agent.
command -v ssh-agent >/dev/null 2>&1 || need+=(openssh-client)
command -v ssh-add >/dev/null 2>&1 || need+=(openssh-client)
command -v sshpass >/dev/null 2>&1 || need+=(sshpass)
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
# A real NATS server for the cluster tests.
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v tc >/dev/null 2>&1 || need+=(iproute2)
# A real telnet server we did not write (the plain `busybox` package lacks the telnetd applet).
busybox telnetd --help >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "test: installing ${need[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# sshd refuses to start as root without its privilege-separation directory.
$sudo mkdir -p /run/sshd

# Tests that need sshd, sshpass or network namespaces fail instead of skipping when this is set.
export NETKEEP_REQUIRE_SYSTEM_TOOLS=1

# The network-namespace tests (netkeep-reliability/tests/netns.rs) back README rows: this machine
# must make a namespace and a veth pair into it (root, iproute2, kernel support), or we stop here.
echo "test: network namespaces"
ci_ns="nkci-$$"
$sudo ip netns add "$ci_ns"
$sudo ip link add "nkci$$a" type veth peer name "nkci$$b" netns "$ci_ns"
$sudo ip link del "nkci$$a"
$sudo ip netns del "$ci_ns"

# House rule: no function over ~80 lines outside tests without a `long-fn:` reason comment.
echo "test: long functions"
python3 scripts/long_fns.py

# Fidelity: Netmiko 4.8, the tool our users have, drives the simulator on every platform.
echo "test: Netmiko fidelity check"
cargo build -p netkeep-cli
venv="${NETKEEP_VENV:-${TMPDIR:-/tmp}/netkeep-ci-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q netmiko==4.8.0 textfsm==2.1.0 ntc-templates==9.3.0 pytest pyyaml
# The tests that parse simulator output with ntc-templates use this Python.
export NETKEEP_PYTHON="$venv/bin/python"
"$venv/bin/python" crates/netkeep-sim/tests/netmiko_check.py --netkeep target/debug/netkeep
# The same over telnet: Netmiko's `<platform>_telnet` device types against `netkeep sim --protocol telnet`.
echo "test: Netmiko telnet fidelity check"
"$venv/bin/python" crates/netkeep-sim/tests/netmiko_check.py --netkeep target/debug/netkeep --protocol telnet
# Netmiko's own device tests (fetched from its sdist on PyPI) against simulated devices.
echo "test: Netmiko device tests"
crates/netkeep-sim/tests/netmiko_devices/run.sh target/debug/netkeep

# netkeep-parse's differential tests compare against Python textfsm with ntc-templates, pinned
# above (netkeep finds the templates as Netmiko does: NET_TEXTFSM, else the installed package).
NET_TEXTFSM="$("$venv/bin/python" -c 'import ntc_templates, os; print(os.path.join(os.path.dirname(ntc_templates.__file__), "templates"))')"
export NET_TEXTFSM

echo "test: cargo test --workspace"
cargo test --workspace --no-fail-fast

# The Python package: the abi3 wheel built by maturin in the same venv, installed, then pytest.
echo "test: Python package (maturin wheel, pytest)"
NETKEEP_VENV="$venv" scripts/test-python.sh
