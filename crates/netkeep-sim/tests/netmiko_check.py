#!/usr/bin/env python3
"""Fidelity check: drive `netkeep sim` devices with Netmiko 4.8, as a user would.

Usage: /work/venv/sim/bin/python netmiko_check.py [--netkeep PATH] [--protocol telnet] [platform ...]

For each platform it starts `netkeep sim --platform P --port 0`, then with Netmiko at its
defaults (as a user runs it: no fast_cli=False, no expect_string): connects, send_command
(version), send_config_set an interface description and finds it in the running configuration
(committing first on two-stage platforms), is_alive() on the live session and a command after it,
then stops the device and requires is_alive() to say False, disconnect.
Every command output is checked as the benchmark checks it (bench/py/common.py): expected text
present, no echo of the command at the start, no prompt, no NUL. The usual ntc-templates templates
must parse the show outputs into records, and on the platforms of issue 18 a record must hold
values of the personality's state (ntc_values.py).
With `--protocol telnet` the simulator serves telnet and Netmiko connects with its
`<platform>_telnet` device type (its telnet login, IAC handling and is_alive()), on every
platform Netmiko 4.8 has a telnet type for.
Exit status 0 only if every platform passes.
"""
import argparse
import logging
import os
import subprocess
import sys
import time

from netmiko import ConnectHandler
from ntc_templates.parse import parse_output

import ntc_values

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
    "cisco_asa": ("show version", ["interface GigabitEthernet0/1", "description netmiko-was-here"],
                  "show running-config", " description netmiko-was-here", True),
    # AireOS has no configuration mode for Netmiko: `config ...` lines at the exec prompt.
    "cisco_wlc_ssh": ("show sysinfo", ["config location netmiko-was-here"],
                      "show run-config commands", "config location netmiko-was-here", False),
    "hp_procurve": ("show version", ["interface 2", "name netmiko-was-here"],
                    "show running-config", 'name "netmiko-was-here"', False),
    "aruba_aoscx": ("show version", ["interface 1/1/2", "description netmiko-was-here"],
                    "show running-config", "    description netmiko-was-here", False),
    "aruba_os": ("show version", ["interface gigabitethernet 0/0/1", "description netmiko-was-here"],
                 "show running-config", "description netmiko-was-here", True),
    # FortiOS has no configuration mode either: `config ... end` blocks at the top prompt.
    "fortinet": ("get system status", ["config system interface", "edit port3",
                                       "set description netmiko-was-here", "next", "end"],
                 "show system interface", 'set description "netmiko-was-here"', False),
    "paloalto_panos": ("show system info",
                       ["set network interface ethernet ethernet1/3 comment netmiko-was-here"],
                       "show config running", "comment netmiko-was-here", False),
    "mikrotik_routeros": ("/system resource print", ["/interface set ether3 comment=netmiko-was-here"],
                          "/export", "comment=netmiko-was-here", False),
    "dell_os10": ("show version", ["interface ethernet1/1/2", "description netmiko-was-here"],
                  "show running-configuration", " description netmiko-was-here", False),
    # EXOS has no configuration mode: `configure ...` commands at the prompt.
    "extreme_exos": ("show version", ["configure ports 2 description-string netmiko-was-here"],
                     "show configuration", 'configure ports 2 description-string "netmiko-was-here"', False),
    "ruckus_fastiron": ("show version", ["interface ethernet 1/1/2", "port-name netmiko-was-here"],
                        "show running-config", " port-name netmiko-was-here", True),
    # Brocade's name for the same OS: an alias of the platform file, the same personality.
    "brocade_fastiron": ("show version", ["interface ethernet 1/1/3", "port-name netmiko-was-here"],
                         "show running-config", " port-name netmiko-was-here", True),
    "vyos": ("show version", ["set interfaces ethernet eth2 description netmiko-was-here"],
             "show configuration", "description netmiko-was-here", False),
    "ubiquiti_edgerouter": ("show version", ["set interfaces ethernet eth2 description netmiko-was-here"],
                            "show configuration", "description netmiko-was-here", False),
    # Gaia's clish has no configuration mode: `set` commands at the prompt.
    "checkpoint_gaia": ("show version all", ["set interface eth2 comments netmiko-was-here"],
                        "show configuration", 'set interface eth2 comments "netmiko-was-here"', False),
    # MD-CLI: Netmiko's edit-config exclusive, then commit after `exit all`.
    "alcatel_sros": ("show version", ['/configure port 1/1/3 description "netmiko-was-here"'],
                     "admin show configuration", 'description "netmiko-was-here"', False),
    "huawei_smartax": ("display version", ["vlan desc 100 description netmiko-was-here"],
                       "display current-configuration", " vlan desc 100 description netmiko-was-here", True),
}
# Platforms whose changes wait for commit (Netmiko's send_config_set leaves them in config mode).
TWO_STAGE = {"juniper_junos", "cisco_xr", "huawei_vrpv8", "paloalto_panos", "vyos", "ubiquiti_edgerouter",
             "alcatel_sros"}
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
    "cisco_asa": ("cisco_asa", ["show version", "show interface", "show interface ip brief", "show arp",
                                "show route"]),
    "cisco_wlc_ssh": ("cisco_wlc_ssh", ["show sysinfo", "show interface summary", "show port summary",
                                        "show ap summary", "show wlan summary", "show cdp neighbors detail",
                                        "show time", "show inventory"]),
    # ntc-templates files an ArubaOS controller template as hp_procurve "show version".
    "hp_procurve": ("hp_procurve", ["show system", "show interfaces brief", "show ip",
                                    "show arp", "show mac-address", "show vlans", "show ip route",
                                    "show lldp info remote-device"]),
    "aruba_aoscx": ("aruba_aoscx", ["show system", "show interface", "show vlan", "show arp all-vrfs",
                                    "show ip route all-vrfs", "show mac-address-table",
                                    "show lldp neighbor-info detail"]),
    "aruba_os": ("aruba_os", ["show hostname", "show inventory", "show ip interface brief", "show arp",
                              "show ap database"]),
    "fortinet": ("fortinet", ["get system status", "get system interface physical", "get system interface",
                              "get system arp", "get router info routing-table all"]),
    "paloalto_panos": ("paloalto_panos", ["show system info", "show interface all", "show arp all",
                                          "show routing route", "show lldp neighbors all", "show mac all"]),
    # ntc-templates files MikroTik's templates under the command without the leading `/`.
    "mikrotik_routeros": ("mikrotik_routeros", ["system resource print", "system identity print",
                                                "interface print detail", "ip address print", "ip arp print",
                                                "ip route print detail", "ip neighbor print detail",
                                                "system clock print"]),
    # ntc-templates 9.3 has no OS10 templates.
    "dell_os10": ("dell_os10", []),
    "extreme_exos": ("extreme_exos", ["show ports information", "show ports description",
                                      "show vlan description", "show ipconfig", "show iparp", "show fdb"]),
    "ruckus_fastiron": ("ruckus_fastiron", ["show version", "show interfaces brief", "show arp",
                                            "show mac-address", "show vlan"]),
    # ntc-templates' Brocade set is for FastIron 07 tables (`show arp`, `show mac-address` and
    # `show lldp neighbors` have other columns there); the ruckus set above checks 08.0.
    "brocade_fastiron": ("brocade_fastiron", ["show interfaces brief"]),
    # ntc-templates files these as vyatta_vyos, for any platform name containing `vyos`.
    "vyos": ("vyos", ["show interfaces", "show arp"]),
    "ubiquiti_edgerouter": ("ubiquiti_edgerouter", ["show version", "show interfaces", "show arp",
                                                    "show ip route", "show dhcp leases"]),
    "checkpoint_gaia": ("checkpoint_gaia", ["show version all", "show interfaces all", "show route",
                                            "show arp dynamic all", "show dns", "show ntp servers"]),
    "alcatel_sros": ("alcatel_sros", ["show port", "show port description", "show router interface", "show lag",
                                      "show router isis adjacency"]),
    # Five of ntc-templates' 33 SmartAX templates (the rest are for ONT provisioning).
    "huawei_smartax": ("huawei_smartax", ["display version", "display board 0", "display sysuptime",
                                          "display mac-address all", "display service-port all"]),
}
VERSION_MARK = {
    "hp_comware": "Comware Software", "huawei": "Versatile Routing Platform", "cisco_ios": "Cisco IOS Software",
    "cisco_nxos": "NX-OS", "juniper_junos": "Junos:", "arista_eos": "Software image version",
    "cisco_xr": "Cisco IOS XR Software", "huawei_vrpv8": "Versatile Routing Platform",
    "cisco_asa": "Cisco Adaptive Security Appliance Software", "cisco_wlc_ssh": "Cisco Controller",
    "hp_procurve": "Image stamp:", "aruba_aoscx": "ArubaOS-CX", "aruba_os": "ArubaOS",
    "fortinet": "FortiGate", "paloalto_panos": "sw-version:", "mikrotik_routeros": "version:",
    "dell_os10": "OS10", "extreme_exos": "ExtremeXOS version", "ruckus_fastiron": "SW: Version",
    "brocade_fastiron": "SW: Version", "vyos": "VyOS 1.4", "ubiquiti_edgerouter": "EdgeRouter",
    "checkpoint_gaia": "Check Point Gaia", "alcatel_sros": "TiMOS-B-",
    "huawei_smartax": "MA5600V800R018C10",
}


# Netmiko 4.8's telnet device types among our platforms (it has no huawei_vrpv8_telnet, and none
# for the other platforms below: netkeep's own telnet tests cover those that have telnet).
NO_NETMIKO_TELNET = {"huawei_vrpv8", "cisco_asa", "cisco_wlc_ssh", "aruba_aoscx", "aruba_os", "fortinet",
                     "mikrotik_routeros", "dell_os10",
                     # Netmiko 4.8 has paloalto_panos_telnet, but its preparation waits for the
                     # prompt and the echo of `set cli scripting-mode on` on one line, after its
                     # telnet login already read that prompt: it times out against any device
                     # that prints one prompt per Enter. netkeep's telnet tests cover PAN-OS.
                     "paloalto_panos", "vyos", "ubiquiti_edgerouter", "checkpoint_gaia"}
# Netmiko 4.8's telnet names for SR OS and SmartAX (it has no alcatel_sros_telnet nor
# huawei_smartax_telnet).
TELNET_NAMES = {"alcatel_sros": "nokia_sros_telnet", "huawei_smartax": "huawei_olt_telnet"}
TELNET_TYPES = {p: TELNET_NAMES.get(p, f"{p}_telnet") for p in CASES if p not in NO_NETMIKO_TELNET}


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


# How long is_alive() may keep saying True after the device has gone (paramiko notices the
# closed TCP connection in its reader thread).
GONE_WITHIN_S = 3.0


def check_output(what, out, cmd, prompt, expect=None):
    """Raise unless `out` is a clean command output: `expect` present, no echo, no prompt, no NUL."""
    why = []
    if expect is not None and expect not in out:
        why.append(f"{expect!r} missing")
    if out.lstrip().startswith(cmd.strip()):
        why.append("command echo present")
    if prompt in out:
        why.append(f"prompt {prompt!r} present")
    if "\0" in out:
        why.append("NUL present")
    if why:
        raise AssertionError(f"{what}: {', '.join(why)} ({len(out)} chars, head {out[:80]!r}, tail {out[-80:]!r})")


def stop(proc):
    """Stop the simulator (its sessions close with it)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def gone_after(conn, protocol):
    """How is_alive() tells a session whose device stopped is gone, and after how many seconds;
    None if it still says True after GONE_WITHIN_S. Over SSH it must answer False. Over telnet
    Netmiko 4.8's is_alive() lets the socket's error out (it catches only AttributeError): a
    reset or broken pipe raised from it is the answer there."""
    t0 = time.time()
    while time.time() - t0 < GONE_WITHIN_S:
        try:
            if not conn.is_alive():
                return f"is_alive False after {time.time() - t0:.2f}s"
        except (ConnectionResetError, BrokenPipeError) as e:
            if protocol != "telnet":
                raise
            return f"is_alive raised {type(e).__name__} after {time.time() - t0:.2f}s"
        time.sleep(0.05)
    return None


def check(netkeep, platform, protocol):
    vcmd, cfg, runcmd, expect, enable = CASES[platform]
    # The values the parsed outputs must hold, read before the device changes anything.
    state = ntc_values.personality(platform) if platform in ntc_values.VALUES else None
    proc, host, port = start_sim(netkeep, platform, protocol)
    device_type = TELNET_TYPES[platform] if protocol == "telnet" else platform
    steps = []
    try:
        t0 = time.time()
        conn = ConnectHandler(device_type=device_type, host=host, port=port, username="admin",
                              password="admin", secret="admin")
        prompt = conn.find_prompt()
        steps.append(f"connect {time.time() - t0:.2f}s prompt={prompt!r}")
        if enable:
            conn.enable()
            prompt = conn.find_prompt()
            steps.append(f"enable prompt={prompt!r}")
        out = conn.send_command(vcmd)
        check_output(vcmd, out, vcmd, prompt, VERSION_MARK[platform])
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
            check_output(cmd, raw, cmd, prompt)
            rows = parse_output(platform=tplat, command=cmd, data=raw)
            assert rows and all(any(v for v in r.values()) for r in rows), f"TextFSM parsed nothing for {cmd!r}: {raw[:300]!r}"
            want = ntc_values.check_values(platform, cmd, rows, state)
            steps.append(f"textfsm {cmd!r}: {len(rows)} rows" + (f", {len(want)} state values" if want else ""))
        run = conn.send_command(runcmd)
        check_output(runcmd, run, runcmd, prompt, expect)
        steps.append("description found in running config")
        # is_alive() writes a NUL: the session must say alive and stay clean for the next command.
        assert conn.is_alive(), "is_alive() returned False on a live session"
        out = conn.send_command(vcmd)
        check_output(f"{vcmd} after is_alive()", out, vcmd, prompt, VERSION_MARK[platform])
        steps.append("is_alive True, next command clean")
        stop(proc)
        gone = gone_after(conn, protocol)
        assert gone is not None, f"is_alive() still True {GONE_WITHIN_S}s after the device stopped"
        steps.append(f"device stopped: {gone}")
        conn.disconnect()
        steps.append("disconnect ok")
        return True, steps
    except Exception as e:  # report and continue with the next platform
        steps.append(f"FAILED: {type(e).__name__}: {e}")
        return False, steps
    finally:
        stop(proc)


def main():
    # paramiko logs the reset of the device we stop on purpose ("Socket exception") at ERROR.
    logging.getLogger("paramiko.transport").setLevel(logging.CRITICAL)
    ap = argparse.ArgumentParser()
    ap.add_argument("--netkeep", default=os.environ.get("NETKEEP_BIN", "netkeep"))
    ap.add_argument("--protocol", choices=["ssh", "telnet"], default="ssh")
    ap.add_argument("--personalities", default=ntc_values.PERSONALITIES,
                    help="where the personality files the parsed values come from are")
    ap.add_argument("platforms", nargs="*")
    a = ap.parse_args()
    ntc_values.PERSONALITIES = a.personalities
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
