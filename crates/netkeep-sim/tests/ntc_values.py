"""What ntc-templates must read out of the simulator's outputs: values of the personality's state.

Used by netmiko_check.py. For each platform of issue 18 (and a command ntc-templates parses
there), the fields one parsed record must have, each taken from the personality file
(`crates/netkeep-sim/personalities/<platform>.yaml`): its host name, an interface's name and
address, an ARP entry, a row of one of its tables. A record "has" a value when the field equals
it, or, for list fields, holds it. dell_os10 is missing: ntc-templates 9.3.0 has no template for
it.
"""
import os

import yaml

PERSONALITIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "personalities")

# The personality file each platform (or alias) is simulated by.
PERSONALITY_OF = {"brocade_fastiron": "ruckus_fastiron"}


def host(p):
    return p["default_hostname"]


def iface(i, key):
    return lambda p: p["interfaces"]["initial"][i][key]


def ifaddr(i):
    """`ip/prefix` of the i-th interface."""
    return lambda p: "{ip}/{prefix}".format(**p["interfaces"]["initial"][i])


def ifport(i):
    """The port of the i-th interface's name (`1/1/1` of `ethernet 1/1/1`)."""
    return lambda p: p["interfaces"]["initial"][i]["name"].split()[-1]


def arp(i, key):
    return lambda p: p["arp"][i][key]


def table(name, i, key):
    return lambda p: p["tables"][name][i][key]


# platform: {command: {field: value from the personality}}
VALUES = {
    "cisco_asa": {
        "show version": {"hostname": host},
        "show interface ip brief": {"interface": iface(0, "name"), "ip_address": iface(0, "ip")},
        "show arp": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac")},
    },
    "cisco_xr": {
        "show ip interface brief": {"interface": iface(0, "name"), "ip_address": iface(0, "ip")},
        "show arp": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac"), "interface": arp(0, "interface")},
    },
    "cisco_wlc_ssh": {
        "show sysinfo": {"system_name": host},
        "show interface summary": {"name": iface(0, "name"), "ip_address": iface(0, "ip")},
        "show ap summary": {"ap_name": table("aps", 0, "name"), "ip_address": table("aps", 0, "ip")},
    },
    "hp_procurve": {
        "show system": {"name": host},
        "show arp": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac")},
        "show mac-address": {"mac_address": table("mac", 0, "mac"), "port": table("mac", 0, "port")},
    },
    "aruba_aoscx": {
        "show system": {"hostname": host},
        "show interface": {"interface": iface(0, "name"), "interface_desc": iface(0, "description"),
                           "ip_address": ifaddr(0)},
        "show arp all-vrfs": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac")},
    },
    "aruba_os": {
        "show hostname": {"hostname": host},
        "show arp": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac"), "interface": arp(0, "interface")},
        "show ap database": {"ap_name": table("aps", 0, "name"), "ip_address": table("aps", 0, "ip")},
    },
    "fortinet": {
        "get system status": {"hostname": host},
        "get system interface physical": {"name": iface(0, "name"), "ip_address": iface(0, "ip")},
        "get system arp": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac")},
    },
    "paloalto_panos": {
        "show system info": {"hostname": host},
        "show interface all": {"interface": iface(0, "name")},
        "show arp all": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac"), "interface": arp(0, "interface")},
    },
    "mikrotik_routeros": {
        "system identity print": {"name": host},
        "ip address print": {"ip": iface(0, "ip"), "interface": iface(0, "name")},
        "ip arp print": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac")},
    },
    "extreme_exos": {
        "show ports description": {"interface": iface(0, "name"), "description": iface(0, "description")},
        "show iparp": {"destination": table("iparp", 0, "ip"), "mac_address": table("iparp", 0, "mac")},
    },
    "ruckus_fastiron": {
        "show interfaces brief": {"port": ifport(1), "name": iface(1, "description")},
        "show arp": {"ip_address": table("arps", 0, "ip"), "mac_address": table("arps", 0, "mac")},
        "show mac-address": {"mac_address": table("mac", 0, "mac"), "port": table("mac", 0, "port")},
    },
    # ntc-templates' Brocade template names the port field `interface`.
    "brocade_fastiron": {
        "show interfaces brief": {"interface": ifport(1), "name": iface(1, "description")},
    },
    "vyos": {
        "show interfaces": {"interface": iface(0, "name"), "ip_address": ifaddr(0),
                            "description": iface(0, "description")},
        "show arp": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac"), "interface": arp(0, "interface")},
    },
    "ubiquiti_edgerouter": {
        "show interfaces": {"interface": iface(0, "name"), "ip_address": ifaddr(0),
                            "description": iface(0, "description")},
        "show arp": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac")},
        "show dhcp leases": {"ip_address": table("leases", 0, "ip"), "host": table("leases", 0, "host")},
    },
    "checkpoint_gaia": {
        "show interfaces all": {"interface": iface(0, "name"), "ipv4_address": ifaddr(0),
                                "comment": iface(0, "description")},
        "show arp dynamic all": {"ip_address": arp(0, "ip"), "mac_address": arp(0, "mac")},
    },
    "alcatel_sros": {
        "show port description": {"port_id": iface(0, "name"), "description": iface(0, "description")},
        "show router interface": {"interface": table("router_ifs", 1, "name"),
                                  "port_sap_id": table("router_ifs", 1, "port"),
                                  "ip_address": table("router_ifs", 1, "addr")},
        "show lag": {"lag_id": table("lags", 0, "id"), "lag_name": table("lags", 0, "name")},
        "show router isis adjacency": {"system_id": table("isis", 0, "system_id"),
                                       "interface": table("isis", 0, "interface")},
    },
    "huawei_smartax": {
        "display board 0": {"slot_id": table("boards", 0, "slot"), "boardname": table("boards", 0, "name")},
        "display mac-address all": {"mac": table("macs", 0, "mac"), "vlan_id": table("macs", 0, "vlan")},
        "display service-port all": {"index": table("service_ports", 0, "index"),
                                     "vlan_id": table("service_ports", 0, "vlan")},
    },
}


def personality(platform):
    name = PERSONALITY_OF.get(platform, platform)
    with open(os.path.join(PERSONALITIES, f"{name}.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def has(record, field, value):
    got = record.get(field)
    return value in got if isinstance(got, list) else got == value


def check_values(platform, cmd, rows, state):
    """Raise unless one parsed record holds every value the state says it should."""
    fields = VALUES.get(platform, {}).get(cmd)
    if not fields:
        return None
    want = {f: get(state) for f, get in fields.items()}
    if not any(all(has(r, f, v) for f, v in want.items()) for r in rows):
        raise AssertionError(f"{cmd!r}: no record with {want} (state of {platform}) in {rows}")
    return want
