#!/usr/bin/env python3
"""Netmiko 4.8's send_command(..., use_textfsm=True) on one simulated device, for the Rust test
netmiko_parse.rs. Reads {"port", "device_type", "template_platform", "commands"} as JSON from
stdin; writes {"results": [{"command", "output", "records", "use_textfsm"}]}: the raw output,
Netmiko's converter on it with the template platform (what send_command(use_textfsm=True) does
inside), and what send_command(cmd, use_textfsm=True) itself returned — lists, or null where
Netmiko returned text. Where ntc-templates names the platform differently from Netmiko's
device_type (huawei is huawei_vrp there), the call itself finds no template.
"""
import json
import sys

from netmiko import ConnectHandler
from netmiko.utilities import structured_data_converter


def main():
    spec = json.load(sys.stdin)
    conn = ConnectHandler(device_type=spec["device_type"], host="127.0.0.1", port=spec["port"],
                          username="admin", password="admin", fast_cli=False)
    out = []
    try:
        for cmd in spec["commands"]:
            # What send_command(cmd, use_textfsm=True) does inside, with the template platform.
            output = conn.send_command(cmd)
            records = structured_data_converter(output, cmd, spec["template_platform"], use_textfsm=True)
            # And the call itself, which looks the device_type up.
            direct = conn.send_command(cmd, use_textfsm=True)
            out.append({
                "command": cmd,
                "output": output,
                "records": records if isinstance(records, list) else None,
                "use_textfsm": direct if isinstance(direct, list) else None,
            })
    finally:
        conn.disconnect()
    json.dump({"results": out}, sys.stdout)


if __name__ == "__main__":
    main()
