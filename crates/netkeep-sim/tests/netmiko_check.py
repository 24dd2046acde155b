#!/usr/bin/env python3
"""Fidelity check: drive `netkeep sim` devices with Netmiko 4.8, as a user would.

Usage: /work/venv/sim/bin/python netmiko_check.py [--netkeep PATH] [--protocol telnet] [platform ...]

For each platform it starts `netkeep sim --platform P --port 0`, then with Netmiko:
connects, send_command (version), send_config_set an interface description and finds it in the
running configuration (committing first on two-stage platforms), is_alive(), disconnect.
With `--protocol telnet` the simulator serves telnet and Netmiko connects with its
`<platform>_telnet` device type (its telnet login, IAC handling and is_alive()), on every
platform Netmiko 4.8 has a telnet type for.
Exit status 0 only if every platform passes.
"""
import argparse
import os
import subprocess
import sys
import time

from netmiko import ConnectHandler
from ntc_templates.parse import parse_output

CASES = {
    # platform: (version command, config lines, running-config command, expected text, needs enable)
    "hp_comware": ("display version", ["interface GigabitEthernet1/0/2", "description netmiko-was-here"],
                   "display current-configuration", " description netmiko-was-here", False),
    "huawei": ("display version", ["interface GigabitEthernet0/0/2", "description netmiko-was-here"],
               "display current-configuration", " description netmiko-was-here", False),
    "cisco_ios": ("show version", ["interface GigabitEthernet0/2", "description netmiko-was-here"],
                  "show running-config", " description netmiko-was-here", True),
    "cisco_nxos": ("show version", ["interface Ethernet1/2", "description netmiko-was-here"],
                   "show running-config", "  description netmiko-was-here", False),
    "juniper_junos": ("show version", ["set interfaces ge-0/0/1 description netmiko-was-here"],
                      "show configuration", 'description netmiko-was-here;', False),
    "arista_eos": ("show version", ["interface Ethernet2", "description netmiko-was-here"],
                   "show running-config", "   description netmiko-was-here", True),
    "cisco_xr": ("show version", ["interface GigabitEthernet0/0/0/1", "description netmiko-was-here"],
                 "show running-config", " description netmiko-was-here", False),
    "huawei_vrpv8": ("display version", ["interface GigabitEthernet0/1/1", "description netmiko-was-here"],
                     "display current-configuration", " description netmiko-was-here", False),
}
# Platforms whose changes wait for commit (Netmiko's send_config_set leaves them in config mode).
TWO_STAGE = {"juniper_junos", "cisco_xr", "huawei_vrpv8"}
# Commands whose output the usual ntc-templates TextFSM templates must parse (template platform, command).
TEXTFSM = {
    "hp_comware": ("hp_comware", ["display interface brief", "display arp", "display clock"]),
    "huawei": ("huawei_vrp", ["display version", "display interface brief", "display arp all"]),
    "cisco_ios": ("cisco_ios", ["show version", "show ip interface brief", "show ip arp", "show clock"]),
    "cisco_nxos": ("cisco_nxos", ["show version", "show ip interface brief", "show ip arp", "show clock"]),
    "juniper_junos": ("juniper_junos", ["show version", "show arp no-resolve"]),
    "arista_eos": ("arista_eos", ["show version", "show ip interface brief", "show ip arp", "show clock",
                                  "show interfaces description"]),
    "cisco_xr": ("cisco_xr", ["show version", "show ip interface brief", "show arp",
                              "show interfaces description"]),
    # ntc-templates has no VRP 8 set of its own; the VRP templates parse these outputs.
    "huawei_vrpv8": ("huawei_vrp", ["display version", "display interface brief", "display arp all"]),
}
VERSION_MARK = {
    "hp_comware": "Comware Software", "huawei": "Versatile Routing Platform", "cisco_ios": "Cisco IOS Software",
    "cisco_nxos": "NX-OS", "juniper_junos": "Junos:", "arista_eos": "Software image version",
    "cisco_xr": "Cisco IOS XR Software", "huawei_vrpv8": "Versatile Routing Platform",
}


# Netmiko 4.8's telnet device types among our platforms (it has no huawei_vrpv8_telnet).
TELNET_TYPES = {p: f"{p}_telnet" for p in CASES if p != "huawei_vrpv8"}


def start_sim(netkeep, platform, protocol="ssh"):
    env = dict(os.environ, NETKEEP_SIM_PASSWORD="admin")
    p = subprocess.Popen([netkeep, "sim", "--platform", platform, "--port", "0", "--protocol", protocol],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = p.stdout.readline()
    if not line:
        raise RuntimeError(f"netkeep sim did not start: {p.stderr.read()}")
    _, _, addr = line.strip().split("\t")
    host, port = addr.rsplit(":", 1)
    return p, host, int(port)


def check(netkeep, platform, protocol):
    vcmd, cfg, runcmd, expect, enable = CASES[platform]
    proc, host, port = start_sim(netkeep, platform, protocol)
    device_type = TELNET_TYPES[platform] if protocol == "telnet" else platform
    steps = []
    try:
        t0 = time.time()
        conn = ConnectHandler(device_type=device_type, host=host, port=port, username="admin",
                              password="admin", secret="admin", fast_cli=False)
        steps.append(f"connect {time.time() - t0:.2f}s prompt={conn.find_prompt()!r}")
        if enable:
            conn.enable()
            steps.append(f"enable prompt={conn.find_prompt()!r}")
        out = conn.send_command(vcmd)
        assert VERSION_MARK[platform] in out, f"version output: {out[:200]!r}"
        steps.append(f"send_command({vcmd!r}) {len(out)} chars")
        out = conn.send_config_set(cfg)
        steps.append("send_config_set ok")
        if platform in TWO_STAGE:
            conn.commit()
            conn.exit_config_mode()
            steps.append("commit ok")
        tplat, cmds = TEXTFSM[platform]
        for cmd in cmds:
            raw = conn.send_command(cmd)
            rows = parse_output(platform=tplat, command=cmd, data=raw)
            assert rows and all(any(v for v in r.values()) for r in rows), f"TextFSM parsed nothing for {cmd!r}: {raw[:300]!r}"
            steps.append(f"textfsm {cmd!r}: {len(rows)} rows")
        run = conn.send_command(runcmd)
        assert expect in run, f"{expect!r} not in running config ({len(run)} chars): {run[-600:]!r}"
        steps.append("description found in running config")
        assert conn.is_alive(), "is_alive() returned False"
        steps.append("is_alive True")
        conn.disconnect()
        steps.append("disconnect ok")
        return True, steps
    except Exception as e:  # report and continue with the next platform
        steps.append(f"FAILED: {type(e).__name__}: {e}")
        return False, steps
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netkeep", default=os.environ.get("NETKEEP_BIN", "netkeep"))
    ap.add_argument("--protocol", choices=["ssh", "telnet"], default="ssh")
    ap.add_argument("platforms", nargs="*")
    a = ap.parse_args()
    platforms = a.platforms or list(TELNET_TYPES if a.protocol == "telnet" else CASES)
    ok_all = True
    for p in platforms:
        ok, steps = check(a.netkeep, p, a.protocol)
        ok_all &= ok
        name = TELNET_TYPES.get(p, p) if a.protocol == "telnet" else p
        print(f"{'PASS' if ok else 'FAIL'} {name}: " + "; ".join(steps), flush=True)
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
