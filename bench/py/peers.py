"""Measures the peers (Netmiko, Scrapli over ssh2 and over the ssh binary) on the simulated devices
named in the plan, and writes the same JSON shape as `netkeep-bench` (crates/netkeep-bench).

    python peers.py --tool netmiko|netmiko-tuned|scrapli-ssh2|scrapli-bin --plan plan.json --out result.json

Each peer is used the way its documentation shows: Netmiko's ConnectHandler + send_command with
threads for concurrency, Scrapli's Cli + send_input with asyncio for concurrency. `netmiko` is
Netmiko's defaults; `netmiko-tuned` gives send_command the device's prompt (expect_string), as an
experienced user does. Scrapli runs with its read-poll backoff capped for low latency, and on
hp_comware once more with a corrected prompt pattern (its stock one matches Comware's `#`
separator lines). Every setting is recorded in the result (`settings`) and in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

from common import Checker, cpu_s_tree, load_plan, prompt_of, pss_kib_tree, stats, with_checks

TOOLS = ["netmiko", "netmiko-tuned", "scrapli-ssh2", "scrapli-bin"]

# The sim's platform names are Netmiko device types; Scrapli names its Cisco IOS definition
# cisco_iosxe.
SCRAPLI_DEFINITION = {"hp_comware": "hp_comware", "cisco_ios": "cisco_iosxe", "huawei": "huawei_vrp"}

# Scrapli 2 polls its read queue, sleeping between empty polls from read_min_delay_ns, doubling
# up to read_max_delay_ns (defaults 5 us and 15 ms). Capping the backoff low trades CPU for
# latency, the setting for fast devices on a fast network.
SCRAPLI_READ_DELAYS = {"read_min_delay_ns": 1_000, "read_max_delay_ns": 100_000}

# Scrapli's stock hp_comware definition has the generic top-level prompt pattern `^.*[>#$]\s?+$`,
# which matches the `#` lines that separate sections of a Comware configuration: the output is
# cut at the first one. The corrected pattern accepts only Comware's own prompts: `<host>`
# (user view) and `[host]` / `[host-context]` (system view).
SCRAPLI_CORRECTED_PROMPT = {"hp_comware": r"^[<\[][\w.\-@()/:~]{1,64}[>\]]\s*$"}

# Both Netmiko columns bound every command by this read_timeout (Netmiko's default is 10 s): a
# bound on how long a failure takes, not a speed setting; generous so that 1,000 threads sharing
# 2 cores with the simulator fail on a wrong answer, not on a slow one.
NETMIKO_READ_TIMEOUT = 120


def settings(tool: str) -> str:
    """The peer's settings as the report shows them."""
    if tool == "netmiko":
        return (
            "ConnectHandler defaults (fast_cli=True); send_command(cmd, read_timeout="
            f"{NETMIKO_READ_TIMEOUT}): the prompt is found by Netmiko, 25 ms read loop"
        )
    if tool == "netmiko-tuned":
        return (
            "ConnectHandler defaults (fast_cli=True); send_command(cmd, expect_string="
            f"re.escape(prompt) + r'\\s*$', read_timeout={NETMIKO_READ_TIMEOUT}); cmd_verify left on"
        )
    transport = tool.split("-", 1)[1]
    extra = "enable_strict_key=False, ssh_config_path=/dev/null" if transport == "bin" else "defaults"
    delays = ", ".join(f"{k}={v:,}" for k, v in SCRAPLI_READ_DELAYS.items())
    return f"Cli + send_input; SessionOptions({delays}, operation_timeout_s=120); transport {transport}: {extra}"


# ---------------------------------------------------------------- Netmiko


def pp_enable(plan: dict, platform: str) -> bool:
    return bool(plan["platforms"][platform].get("enable"))


class NetmikoClient:
    alive_method = "is_alive() (writes a NUL, checks the transport; no round trip)"

    def __init__(self, plan: dict, platform: str, port: int, tuned: bool = False):
        from netmiko import ConnectHandler

        # Tuned: the caller knows the device's prompt, so Netmiko need not find it per command.
        pp = plan["platforms"][platform]
        self.expect = re.escape(prompt_of(pp, port)) + r"\s*$" if tuned else None

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
        if self.expect is None:
            return self.conn.send_command(cmd, read_timeout=NETMIKO_READ_TIMEOUT)
        return self.conn.send_command(cmd, expect_string=self.expect, read_timeout=NETMIKO_READ_TIMEOUT)

    def alive(self) -> bool:
        return self.conn.is_alive()

    def close(self) -> None:
        self.conn.disconnect()


# ---------------------------------------------------------------- Scrapli 2


def _corrected_definition(platform: str):
    """Scrapli's own definition for `platform` with the top-level prompt pattern replaced."""
    import importlib.resources

    from scrapli.cli import LoadedDefinition

    name = SCRAPLI_DEFINITION.get(platform, platform)
    text = (importlib.resources.files("scrapli.definitions") / f"{name}.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("prompt_pattern:"):
            lines[i] = "prompt_pattern: '" + SCRAPLI_CORRECTED_PROMPT[platform] + "'"
            break
    else:
        raise ValueError(f"no top-level prompt_pattern in Scrapli's {name}.yaml")
    return LoadedDefinition(platform_name=name, definition="\n".join(lines) + "\n")


def _scrapli_cli(plan: dict, platform: str, port: int, transport: str, corrected: bool = False):
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
        definition_file_or_name=(
            _corrected_definition(platform) if corrected else SCRAPLI_DEFINITION.get(platform, platform)
        ),
        auth_options=AuthOptions(
            username=plan["username"],
            password=plan["password"],
            lookups=[LookupKeyValue(key="enable", value=plan["password"])],
        ),
        session_options=SessionOptions(operation_timeout_s=120, **SCRAPLI_READ_DELAYS),
        transport_options=topts,
    )


class ScrapliClient:
    alive_method = "get_prompt() (a round trip; Scrapli 2 has no is_alive/keepalive API)"

    def __init__(self, plan: dict, platform: str, port: int, transport: str, corrected: bool = False):
        self.cli = _scrapli_cli(plan, platform, port, transport, corrected)
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


def small_figure(make, plan, name, pp, ck: Checker, ck_alive: Checker):
    c = make(name, pp["port"])
    for _ in range(10):
        c.cmd(pp["small_cmd"])
    samples = []
    cpu0 = cpu_s_tree()
    for i in range(plan["small_cmds"]):
        t0 = time.perf_counter()
        out = c.cmd(pp["small_cmd"])
        samples.append(time.perf_counter() - t0)
        ck.check(f"{name} small #{i}", out, pp["small_expect"], pp["small_cmd"], prompt_of(pp, pp["port"]))
    cpu = cpu_s_tree() - cpu0
    alive = []
    for i in range(plan["alive_reps"]):
        t0 = time.perf_counter()
        ok = c.alive()
        alive.append(time.perf_counter() - t0)
        if not ok:
            ck_alive.fail(f"{name} alive #{i}: reported dead on a live session", "reported dead")
    # A keepalive must leave the session clean for the next command.
    out = c.cmd(pp["small_cmd"])
    ck_alive.check(f"{name} command after keepalives", out, pp["small_expect"], pp["small_cmd"], prompt_of(pp, pp["port"]))
    c.close()
    small = stats(samples)
    small["cpu_ms_per_cmd"] = cpu * 1e3 / max(len(samples), 1)
    return small, stats(alive)


def big_figure(make, plan, name, pp, ck: Checker, keep: dict | None = None) -> dict:
    c = make(name, pp["big_port"])
    samples = []
    nbytes = 0
    cpu0 = cpu_s_tree()
    for i in range(plan["big_reps"]):
        t0 = time.perf_counter()
        out = c.cmd(pp["big_cmd"])
        samples.append(time.perf_counter() - t0)
        nbytes = len(out)
        if keep is not None:
            keep["out"] = out
        if len(out) < pp["big_min_bytes"]:
            ck.fail(f"{name} big #{i}: only {len(out)} bytes, want >= {pp['big_min_bytes']}", "cut short")
        else:
            ck.check(f"{name} big #{i}", out, pp["big_expect"], pp["big_cmd"], prompt_of(pp, pp["big_port"]))
    cpu = cpu_s_tree() - cpu0
    c.close()
    r = stats(samples)
    r["bytes"] = nbytes
    r["cpu_ms_per_cmd"] = cpu * 1e3 / max(len(samples), 1)
    return r


def diagnose_cut(short: str, full: str) -> str | None:
    """Where an output cut short stops in the full one: the line it was cut at."""
    tail = short.rstrip()[-200:]
    at = full.find(tail) if tail else -1
    if at < 0 or len(full) <= len(short):
        return None
    end = at + len(tail)
    line = full[end:].lstrip("\r\n").split("\n", 1)[0].strip()
    first = not any(x.strip() == line for x in full[:end].split("\n"))
    return f"cut at {'the first' if first else 'a'} `{line}` line ({len(short):,} of {len(full):,} bytes)"


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
                ck.fail(f"{name} fleet {n}: device {i}: connect: {e!r}"[:300], "session failed")
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
            k.fail(f"{name} fleet {n}: device {i}: command: {e!r}"[:300], "session failed")
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
            ck.fail(f"{name} fleet {n}: device {i}: connect: {e!r}"[:300], "session failed")
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
            ck.fail(f"{name} fleet {n}: device {i}: command: {e!r}"[:300], "session failed")
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


def _makers(tool: str, plan: dict):
    """(version, make, make_corrected or None, alive method, Scrapli transport or None)."""
    if tool.startswith("netmiko"):
        import netmiko

        tuned = tool == "netmiko-tuned"

        def make(platform, port):
            return NetmikoClient(plan, platform, port, tuned)

        return f"netmiko {netmiko.__version__}", make, None, NetmikoClient.alive_method, None
    import scrapli

    transport = tool.split("-", 1)[1]

    def make_scrapli(platform, port):
        return ScrapliClient(plan, platform, port, transport)

    def make_corrected(platform, port):
        return ScrapliClient(plan, platform, port, transport, corrected=True)

    version = f"scrapli {scrapli.__version__} ({transport})"
    return version, make_scrapli, make_corrected, ScrapliClient.alive_method, transport


def run(tool: str, plan: dict) -> dict:
    version, make, make_corrected, alive_method, transport = _makers(tool, plan)
    total = Checker()
    errors: list = []
    platforms: dict = {}

    def figure(res: dict, key: str, fn) -> None:
        """Runs one figure with its own checker; records it with its checks."""
        ck = Checker()
        try:
            res[key] = with_checks(fn(ck), ck)
        finally:
            total.merge(ck)

    for name, pp in plan["platforms"].items():
        res: dict = {}
        steps = [
            ("connect", lambda: figure(res, "connect_ms", lambda ck: connect_figure(make, plan, name, pp, ck))),
            ("small command", lambda: _small(res, make, plan, name, pp, total, alive_method)),
            ("big output", lambda: figure(res, "big_output", lambda ck: big_figure(make, plan, name, pp, ck, stock))),
        ]
        stock: dict = {}
        if make_corrected is not None and name in SCRAPLI_CORRECTED_PROMPT:
            res["corrected_prompt_pattern"] = SCRAPLI_CORRECTED_PROMPT[name]
            steps.append(
                (
                    "big output, corrected prompt pattern",
                    lambda: _corrected(res, figure, make_corrected, plan, name, pp, stock),
                )
            )
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
                        figure(fleets, str(n), lambda ck: fleet_threads(make, plan, name, pp, n, ck))
                    else:
                        figure(fleets, str(n), lambda ck: asyncio.run(_fleet_asyncio(plan, name, pp, n, transport, ck)))
                except Exception as e:  # noqa: BLE001
                    errors.append(f"{name} fleet {n}: {e!r}"[:500])
                    traceback.print_exc()
            res["fleet"] = fleets
        platforms[name] = res
    return {
        "tool": tool,
        "version": version,
        "settings": settings(tool),
        "platforms": platforms,
        "checks": total.to_json(),
        "errors": errors,
    }


def _corrected(res, figure, make_corrected, plan, name, pp, stock: dict) -> None:
    """The ~1 MB output with Scrapli's corrected prompt pattern; if the stock run's output was cut
    short, say where, from the full output."""
    full: dict = {}
    figure(res, "big_output_corrected", lambda ck: big_figure(make_corrected, plan, name, pp, ck, full))
    big = res.get("big_output") or {}
    if "out" in stock and "out" in full and get_failed(big) and len(stock["out"]) < pp["big_min_bytes"]:
        d = diagnose_cut(stock["out"], full["out"])
        if d:
            big["checks"]["diagnosis"] = d


def get_failed(fig: dict) -> int:
    return (fig.get("checks") or {}).get("failed", 0)


def _small(res, make, plan, name, pp, total, alive_method):
    ck, ck_alive = Checker(), Checker()
    try:
        s, a = small_figure(make, plan, name, pp, ck, ck_alive)
        res["small_cmd_ms"] = with_checks(s, ck)
        res["alive_ms"] = with_checks(a, ck_alive)
        res["alive_method"] = alive_method
    finally:
        total.merge(ck)
        total.merge(ck_alive)


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tool", required=True, choices=TOOLS)
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
