"""Measures the peers (Netmiko, Scrapli over ssh2 and over the ssh binary) on the simulated devices
named in the plan, and writes the same JSON shape as `netkeep-bench` (crates/netkeep-bench).

    python peers.py --tool netmiko|scrapli-ssh2|scrapli-bin --plan plan.json --out result.json

Each peer is used the way its documentation shows: Netmiko's ConnectHandler + send_command with
threads for concurrency, Scrapli's Cli + send_input with asyncio for concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

from common import Checker, load_plan, prompt_of, pss_kib_tree, stats

# The sim's platform names are Netmiko device types; Scrapli names its Cisco IOS definition
# cisco_iosxe.
SCRAPLI_DEFINITION = {"hp_comware": "hp_comware", "cisco_ios": "cisco_iosxe", "huawei": "huawei_vrp"}


# ---------------------------------------------------------------- Netmiko


def pp_enable(plan: dict, platform: str) -> bool:
    return bool(plan["platforms"][platform].get("enable"))


class NetmikoClient:
    alive_method = "is_alive() (writes a NUL, checks the transport; no round trip)"

    def __init__(self, plan: dict, platform: str, port: int):
        from netmiko import ConnectHandler

        self.conn = ConnectHandler(
            device_type=platform,
            host=plan["host"],
            port=port,
            username=plan["username"],
            password=plan["password"],
            use_keys=False,
            allow_agent=False,
            conn_timeout=60,
            auth_timeout=60,
            banner_timeout=60,
            secret=plan["password"],
        )
        if pp_enable(plan, platform):
            self.conn.enable()

    def cmd(self, cmd: str) -> str:
        return self.conn.send_command(cmd, read_timeout=120)

    def alive(self) -> bool:
        return self.conn.is_alive()

    def close(self) -> None:
        self.conn.disconnect()


# ---------------------------------------------------------------- Scrapli 2


def _scrapli_cli(plan: dict, platform: str, port: int, transport: str):
    from scrapli import (
        AuthOptions,
        Cli,
        LookupKeyValue,
        SessionOptions,
        TransportBinOptions,
        TransportSsh2Options,
    )

    if transport == "ssh2":
        topts = TransportSsh2Options()
    else:
        # Strict host key checking off and no user ssh config: the sim makes a new key per run.
        topts = TransportBinOptions(enable_strict_key=False, ssh_config_path="/dev/null")
    return Cli(
        plan["host"],
        port=port,
        definition_file_or_name=SCRAPLI_DEFINITION.get(platform, platform),
        auth_options=AuthOptions(
            username=plan["username"],
            password=plan["password"],
            lookups=[LookupKeyValue(key="enable", value=plan["password"])],
        ),
        session_options=SessionOptions(operation_timeout_s=120),
        transport_options=topts,
    )


class ScrapliClient:
    alive_method = "get_prompt() (a round trip; Scrapli 2 has no is_alive/keepalive API)"

    def __init__(self, plan: dict, platform: str, port: int, transport: str):
        self.cli = _scrapli_cli(plan, platform, port, transport)
        self.cli.open()

    def cmd(self, cmd: str) -> str:
        return self.cli.send_input(cmd).result

    def alive(self) -> bool:
        return bool(self.cli.get_prompt().result)

    def close(self) -> None:
        self.cli.close()


class ScrapliAsync:
    def __init__(self, plan: dict, platform: str, port: int, transport: str):
        self.cli = _scrapli_cli(plan, platform, port, transport)

    async def open(self) -> None:
        await self.cli.open_async()

    async def cmd(self, cmd: str) -> str:
        return (await self.cli.send_input_async(cmd)).result

    async def close(self) -> None:
        await self.cli.close_async()


# ---------------------------------------------------------------- figures


def connect_figure(make, plan, name, pp, ck: Checker) -> dict:
    samples = []
    for i in range(plan["connect_reps"]):
        t0 = time.perf_counter()
        c = make(name, pp["port"])
        samples.append(time.perf_counter() - t0)
        out = c.cmd(pp["small_cmd"])
        ck.check(f"{name} connect #{i}", out, pp["small_expect"], pp["small_cmd"], prompt_of(pp, pp["port"]))
        c.close()
    return stats(samples)


def small_figure(make, plan, name, pp, ck: Checker):
    c = make(name, pp["port"])
    for _ in range(10):
        c.cmd(pp["small_cmd"])
    samples = []
    for i in range(plan["small_cmds"]):
        t0 = time.perf_counter()
        out = c.cmd(pp["small_cmd"])
        samples.append(time.perf_counter() - t0)
        ck.check(f"{name} small #{i}", out, pp["small_expect"], pp["small_cmd"], prompt_of(pp, pp["port"]))
    alive = []
    for i in range(plan["alive_reps"]):
        t0 = time.perf_counter()
        ok = c.alive()
        alive.append(time.perf_counter() - t0)
        if not ok:
            ck.fail(f"{name} alive #{i}: reported dead on a live session")
    # A keepalive must leave the session clean for the next command.
    out = c.cmd(pp["small_cmd"])
    ck.check(f"{name} command after keepalives", out, pp["small_expect"], pp["small_cmd"], prompt_of(pp, pp["port"]))
    c.close()
    return stats(samples), stats(alive)


def big_figure(make, plan, name, pp, ck: Checker) -> dict:
    c = make(name, pp["big_port"])
    samples = []
    nbytes = 0
    for i in range(plan["big_reps"]):
        t0 = time.perf_counter()
        out = c.cmd(pp["big_cmd"])
        samples.append(time.perf_counter() - t0)
        nbytes = len(out)
        if len(out) < pp["big_min_bytes"]:
            ck.fail(f"{name} big #{i}: only {len(out)} bytes, want >= {pp['big_min_bytes']}")
        else:
            ck.check(f"{name} big #{i}", out, pp["big_expect"], pp["big_cmd"], prompt_of(pp, pp["big_port"]))
    c.close()
    r = stats(samples)
    r["bytes"] = nbytes
    return r


def _fleet_result(n, failed, connect_s, lat, wall, pss0, pss1) -> dict:
    s = stats(lat)
    return {
        "sessions": n,
        "failed_sessions": failed,
        "connect_all_s": connect_s,
        "commands": len(lat),
        "cmd_wall_s": wall,
        "cps": len(lat) / max(wall, 1e-9),
        "mem_kib_per_session": (pss1 - pss0) / n,
        "p50_ms": s.get("p50"),
        "p99_ms": s.get("p99"),
    }


def fleet_threads(make, plan, name, pp, n, ck: Checker) -> dict:
    """Netmiko's natural concurrency: one thread per device."""
    pss0 = pss_kib_tree()
    connected = threading.Barrier(n + 1)
    go = threading.Barrier(n + 1)
    state = {"end": 0.0}
    lock = threading.Lock()
    lat: list = []
    failed = [0]
    last_done = [0.0]

    def worker(i: int):
        try:
            c = make(name, pp["fleet_port"] + i)
        except Exception as e:  # noqa: BLE001 - every failure is reported
            c = None
            with lock:
                failed[0] += 1
                ck.fail(f"{name} fleet {n}: device {i}: connect: {e!r}"[:300])
        connected.wait()
        go.wait()
        if c is None:
            return
        mine = []
        k = Checker()
        try:
            while True:
                t0 = time.perf_counter()
                out = c.cmd(pp["small_cmd"])
                mine.append(time.perf_counter() - t0)
                k.check(f"fleet device {i}", out, pp["small_expect"], pp["small_cmd"], prompt_of(pp, pp["fleet_port"] + i))
                if time.perf_counter() >= state["end"]:
                    break
        except Exception as e:  # noqa: BLE001
            k.fail(f"{name} fleet {n}: device {i}: command: {e!r}"[:300])
            with lock:
                failed[0] += 1
        done = time.perf_counter()
        try:
            c.close()
        except Exception:  # noqa: BLE001
            pass
        with lock:
            lat.extend(mine)
            ck.merge(k)
            last_done[0] = max(last_done[0], done)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as ex:
        futs = [ex.submit(worker, i) for i in range(n)]
        connected.wait()
        connect_s = time.perf_counter() - t0
        pss1 = pss_kib_tree()
        start = time.perf_counter()
        state["end"] = start + plan["fleet_seconds"]
        go.wait()
        for f in futs:
            f.result()
    wall = max(last_done[0] - start, 1e-9)
    return _fleet_result(n, failed[0], connect_s, lat, wall, pss0, pss1)


async def _fleet_asyncio(plan, name, pp, n, transport, ck: Checker) -> dict:
    """Scrapli's natural concurrency: asyncio tasks."""
    pss0 = pss_kib_tree()
    connected = asyncio.Barrier(n + 1)
    go = asyncio.Barrier(n + 1)
    state = {"end": 0.0}
    lat: list = []
    failed = [0]
    last_done = [0.0]

    async def worker(i: int):
        c = ScrapliAsync(plan, name, pp["fleet_port"] + i, transport)
        try:
            await c.open()
        except Exception as e:  # noqa: BLE001
            c = None
            failed[0] += 1
            ck.fail(f"{name} fleet {n}: device {i}: connect: {e!r}"[:300])
        await connected.wait()
        await go.wait()
        if c is None:
            return
        try:
            while True:
                t0 = time.perf_counter()
                out = await c.cmd(pp["small_cmd"])
                lat.append(time.perf_counter() - t0)
                ck.check(f"fleet device {i}", out, pp["small_expect"], pp["small_cmd"], prompt_of(pp, pp["fleet_port"] + i))
                if time.perf_counter() >= state["end"]:
                    break
        except Exception as e:  # noqa: BLE001
            failed[0] += 1
            ck.fail(f"{name} fleet {n}: device {i}: command: {e!r}"[:300])
        last_done[0] = max(last_done[0], time.perf_counter())
        try:
            await c.close()
        except Exception:  # noqa: BLE001
            pass

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(worker(i)) for i in range(n)]
    await connected.wait()
    connect_s = time.perf_counter() - t0
    pss1 = pss_kib_tree()
    start = time.perf_counter()
    state["end"] = start + plan["fleet_seconds"]
    await go.wait()
    await asyncio.gather(*tasks)
    wall = max(last_done[0] - start, 1e-9)
    return _fleet_result(n, failed[0], connect_s, lat, wall, pss0, pss1)


# ---------------------------------------------------------------- main


def run(tool: str, plan: dict) -> dict:
    if tool == "netmiko":
        import netmiko

        version = f"netmiko {netmiko.__version__}"

        def make(platform, port):
            return NetmikoClient(plan, platform, port)

        alive_method = NetmikoClient.alive_method
        transport = None
    else:
        import scrapli

        transport = tool.split("-", 1)[1]
        version = f"scrapli {scrapli.__version__} ({transport})"

        def make(platform, port):
            return ScrapliClient(plan, platform, port, transport)

        alive_method = ScrapliClient.alive_method

    ck = Checker()
    errors: list = []
    platforms: dict = {}
    for name, pp in plan["platforms"].items():
        res: dict = {}
        steps = [
            ("connect", lambda: res.__setitem__("connect_ms", connect_figure(make, plan, name, pp, ck))),
            ("small command", lambda: _small(res, make, plan, name, pp, ck, alive_method)),
            ("big output", lambda: res.__setitem__("big_output", big_figure(make, plan, name, pp, ck))),
        ]
        for step, fn in steps:
            log(f"[{tool}] {name}: {step}")
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                errors.append(f"{name} {step}: {e!r}"[:500])
                traceback.print_exc()
        if name in plan["fleet_platforms"]:
            fleets: dict = {}
            for n in plan["fleet_sizes"]:
                if n > pp["fleet_count"]:
                    errors.append(f"{name} fleet {n}: only {pp['fleet_count']} devices simulated")
                    continue
                log(f"[{tool}] {name}: fleet of {n}")
                try:
                    if transport is None:
                        fleets[str(n)] = fleet_threads(make, plan, name, pp, n, ck)
                    else:
                        fleets[str(n)] = asyncio.run(_fleet_asyncio(plan, name, pp, n, transport, ck))
                except Exception as e:  # noqa: BLE001
                    errors.append(f"{name} fleet {n}: {e!r}"[:500])
                    traceback.print_exc()
            res["fleet"] = fleets
        platforms[name] = res
    return {"tool": tool, "version": version, "platforms": platforms, "checks": ck.to_json(), "errors": errors}


def _small(res, make, plan, name, pp, ck, alive_method):
    s, a = small_figure(make, plan, name, pp, ck)
    res["small_cmd_ms"] = s
    res["alive_ms"] = a
    res["alive_method"] = alive_method


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tool", required=True, choices=["netmiko", "scrapli-ssh2", "scrapli-bin"])
    ap.add_argument("--plan", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    # Scrapli logs every peer-closed socket at CRITICAL; results and errors go to the JSON.
    logging.disable(logging.CRITICAL)
    plan = load_plan(a.plan)
    result = run(a.tool, plan)
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
