"""Writes the benchmark plan (plan.json, read by every driver) and the list of simulators to start
(sims.tsv, read by bench/run.sh): one source for ports, sizes and expected outputs.

    python plan.py --out-dir DIR [--quick] [--base-port 40000]
"""

from __future__ import annotations

import argparse
import json
import os

# Per platform: prompt, the command that turns paging off, a small command with the text it must
# return, and the large command with the text its output must contain (the configuration's last
# line). Prompts ({host} = the device's hostname) are the simulator's defaults for these platforms (crates/netkeep-sim). Cisco
# logs in at `R1>`: every tool enters enable mode as part of "connect to ready".
PLATFORMS = {
    "hp_comware": {
        "hostname": "H3C",
        "prompt": "<{host}>",
        "login_prompt": "<{host}>",
        "enable": False,
        "paging_cmd": "screen-length disable",
        "small_cmd": "display clock",
        "small_expect": r"\d\d:\d\d:\d\d(\.\d+)? UTC",
        "big_cmd": "display current-configuration",
        "big_expect": r"\nreturn\s*$",
    },
    "cisco_ios": {
        "hostname": "R1",
        "prompt": "{host}#",
        "login_prompt": "{host}>",
        "enable": True,
        "paging_cmd": "terminal length 0",
        "small_cmd": "show clock",
        "small_expect": r"\d\d:\d\d:\d\d(\.\d+)? UTC",
        "big_cmd": "show running-config",
        "big_expect": r"\nend\s*$",
    },
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--base-port", type=int, default=24000)
    ap.add_argument("--platforms", default="hp_comware,cisco_ios")
    ap.add_argument("--fleet-platforms", default="hp_comware")
    ap.add_argument("--config-lines", type=int, default=int(os.environ.get("BENCH_CONFIG_LINES", "30000")))
    ap.add_argument("--big-min-bytes", type=int, default=900_000)
    ap.add_argument("--daemon-bin", default="", help="netkeep binary; empty = no daemon figure")
    ap.add_argument("--daemon-device", default="bench-hp")
    ap.add_argument("--daemon-socket", default="")
    a = ap.parse_args()

    if a.quick:
        sizes = dict(connect_reps=3, small_cmds=100, big_reps=1, alive_reps=20, fleet_sizes=[20],
                     fleet_seconds=1.0, daemon_reps=20, interleave_rounds=4)
    else:
        # interleave_rounds: netkeep and the baseline alternate blocks of small_cmds / rounds
        # commands (and of one ~1 MB output) on the same device, `netkeep-bench interleaved`.
        sizes = dict(connect_reps=20, small_cmds=1000, big_reps=3, alive_reps=200,
                     fleet_sizes=[20, 200, 1000], fleet_seconds=3.0, daemon_reps=200, interleave_rounds=10)

    fleet_platforms = [p for p in a.fleet_platforms.split(",") if p]
    port = a.base_port
    sims = []  # (platform, count, first port, config lines)
    platforms = {}
    for name in [p for p in a.platforms.split(",") if p]:
        fleet = max(sizes["fleet_sizes"]) if name in fleet_platforms else 1
        sims.append((name, fleet, port, 0))
        pp = dict(PLATFORMS[name])
        pp.update(port=port, fleet_port=port, fleet_count=fleet)
        port += fleet + 10
        sims.append((name, 1, port, a.config_lines))
        pp.update(big_port=port, big_min_bytes=a.big_min_bytes)
        # `netkeep sim --count N` (N > 1) names its devices HOST-1..HOST-N: prompts differ per device.
        hosts = {str(pp["fleet_port"] + i): (f"{pp['hostname']}-{i + 1}" if fleet > 1 else pp["hostname"]) for i in range(fleet)}
        hosts[str(port)] = pp["hostname"]
        pp["hosts"] = hosts
        port += 10
        platforms[name] = pp

    plan = {
        "host": "127.0.0.1",
        "username": "admin",
        "password": "admin",
        "quick": a.quick,
        "platforms": platforms,
        "fleet_platforms": fleet_platforms,
        **{k: v for k, v in sizes.items() if k != "daemon_reps"},
    }
    os.makedirs(a.out_dir, exist_ok=True)
    if a.daemon_bin:
        hp = platforms.get("hp_comware")
        if hp:
            # The daemon keeps a warm session to the hp_comware device that has the big
            # configuration (its own device: no other driver's session shares it).
            with open(os.path.join(a.out_dir, "inventory.yaml"), "w", encoding="utf-8") as f:
                f.write(
                    "defaults:\n  username: admin\n  password_env: NETKEEP_BENCH_PASSWORD\n"
                    "  host_key_policy: insecure\nhosts:\n"
                    f"  {a.daemon_device}: {{hostname: 127.0.0.1, port: {hp['big_port']}, platform: hp_comware}}\n"
                )
            plan["daemon"] = {
                "argv": [a.daemon_bin, "exec", a.daemon_device, hp["small_cmd"]],
                "env": {"NETKEEP_SOCKET": a.daemon_socket},
                "platform": "hp_comware",
                "cmd": hp["small_cmd"],
                "reps": sizes["daemon_reps"],
            }
    os.makedirs(a.out_dir, exist_ok=True)
    with open(os.path.join(a.out_dir, "plan.json"), "w", encoding="utf-8") as f:
        json.dump(plan, f, indent=2)
    with open(os.path.join(a.out_dir, "sims.tsv"), "w", encoding="utf-8") as f:
        for s in sims:
            f.write("\t".join(str(x) for x in s) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
