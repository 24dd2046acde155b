"""Merges the drivers' JSON results into results.json, RESULTS.md (one table per platform: each
figure per tool and the ratio peer / netkeep) and bench.png (latency and throughput by tool).

    python aggregate.py --tmp DIR --out-dir bench/results --command "bench/run.sh"
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform as pyplatform
import subprocess
import time

# Column order and display names. "russh-floor" is the bare russh client (`netkeep-bench floor`):
# a baseline, measured on the same devices, not a lower bound.
TOOLS = [
    ("netkeep", "netkeep"),
    ("russh-floor", "baseline (bare russh)"),
    ("scrapli-ssh2", "Scrapli 2 ssh2"),
    ("scrapli-bin", "Scrapli 2 bin"),
    ("netmiko", "Netmiko 4.8 defaults"),
    ("netmiko-tuned", "Netmiko 4.8 tuned"),
]

# Settings of the Rust clients (the Python peers record theirs in their result).
RUST_SETTINGS = {
    "netkeep": "Session::connect(ConnectOptions) with defaults, HostKeyPolicy::Insecure, connect_timeout 60 s; "
    "Session::send_command",
    "russh-floor": "russh 0.65.1 client, Config { nodelay: true, ..Default }, pty vt100 511x24; writes the command, "
    "reads until the buffer ends with the literal prompt, cuts the echo line and the prompt; no regex, no cleaning, no timeouts",
}

TARGETS = {
    "small_vs_baseline": 1.5,
    "connect_ms": 10.0,
    "mem_kib": 100.0,
    "daemon_ms": 5.0,
}


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kib = 0
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            mem_kib = int(f.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    rustc = ""
    try:
        rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "mem_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": pyplatform.release(),
        "python": pyplatform.python_version(),
        "rustc": rustc,
    }


def get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def fmt_ms(v):
    if v is None:
        return None
    if v < 1:
        return f"{v:.3f} ms"
    if v < 100:
        return f"{v:.2f} ms"
    return f"{v:,.0f} ms"


def fmt_num(v, unit=""):
    if v is None:
        return None
    if v >= 100:
        s = f"{v:,.0f}"
    elif v >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}"
    return f"{s}{unit}"


class Row:
    """One table row: a label, where the figure is in a tool's platform result, how it is shown.

    `answer` rows are figures measured on checked outputs: when those outputs failed their checks
    the cell shows the failure, not a time. `base` is where netkeep's figure for the ratio is
    (default: the same path)."""

    def __init__(self, label, path, fmt, answer=True, base=None):
        self.label, self.path, self.fmt, self.answer = label, path, fmt, answer
        self.base = base or path


def figures(plan: dict, platform: str, tools: dict) -> list:
    rows = [
        Row("connect to ready prompt, p50", ("connect_ms", "p50"), fmt_ms),
        Row("small command, p50", ("small_cmd_ms", "p50"), fmt_ms),
        Row("small command, p99", ("small_cmd_ms", "p99"), fmt_ms),
        Row("small command, client CPU per command (user+sys)", ("small_cmd_ms", "cpu_ms_per_cmd"), fmt_ms),
        Row("~1 MB running config end to end, p50", ("big_output", "p50"), fmt_ms),
        Row("~1 MB running config, client CPU per command", ("big_output", "cpu_ms_per_cmd"), fmt_ms),
    ]
    if any(get(t, "platforms", platform, "big_output_corrected") for t in tools.values()):
        rows.append(Row("~1 MB running config, Scrapli with a corrected prompt pattern, p50",
                        ("big_output_corrected", "p50"), fmt_ms, base=("big_output", "p50")))
    rows += [
        Row("is_alive() / one keepalive, p50", ("alive_ms", "p50"), fmt_ms),
        Row("netkeep probe() (SSH ping, nothing written to the shell), p50", ("probe_ms", "p50"), fmt_ms),
    ]
    if platform in plan.get("fleet_platforms", []):
        for n in plan["fleet_sizes"]:
            rows.append(Row(f"{n} devices in parallel: commands/s", ("fleet", str(n), "cps"), lambda v: fmt_num(v, "/s")))
            rows.append(Row(f"{n} devices in parallel: p50 latency", ("fleet", str(n), "p50_ms"), fmt_ms))
            rows.append(Row(f"{n} devices: connect all", ("fleet", str(n), "connect_all_s"), lambda v: fmt_num(v, " s"), answer=False))
        big = str(max(plan["fleet_sizes"]))
        rows.append(Row(f"client memory per open session ({big} open)", ("fleet", big, "mem_kib_per_session"),
                        lambda v: fmt_num(v, " KiB"), answer=False))
    return rows


def failed_text(fig: dict) -> str | None:
    """`✗ failed: 3/3 outputs cut short (...)` when the figure's outputs failed their checks."""
    ck = fig.get("checks") if isinstance(fig, dict) else None
    if not ck or not ck.get("failed"):
        return None
    failed, total = ck["failed"], ck["failed"] + ck.get("ok", 0)
    kinds = ck.get("kinds") or {}
    diag = ck.get("diagnosis")
    if diag:
        why = diag
    elif "cut short" in kinds and fig.get("bytes") is not None:
        why = f"cut short ({fig['bytes']:,} bytes)"
    elif kinds:
        why = "wrong (" + ", ".join(f"{k} ×{n:,}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])) + ")"
    else:
        why = "wrong"
    return f"✗ failed: {failed:,}/{total:,} outputs {why}"


def cell(tools: dict, k: str, platform: str, row: Row) -> str:
    res = get(tools[k], "platforms", platform)
    v = get(res, *row.path)
    if row.answer:
        bad = failed_text(get(res, *row.path[:-1]))
        if bad:
            return bad
    if v is None:
        return "—"
    s = row.fmt(v)
    if k == "netkeep":
        return s
    nk = get(tools.get("netkeep", {}), "platforms", platform)
    base = get(nk, *row.base)
    if not base or (row.answer and failed_text(get(nk, *row.base[:-1]))):
        return s
    r = v / base
    return f"{s} (×{r:,.0f})" if r >= 1000 else f"{s} (×{r:.3g})"


def settings_of(k: str, t: dict) -> str:
    return t.get("settings") or RUST_SETTINGS.get(k, "")


def tables(merged: dict, command: str, h: str, explain: bool = True) -> list:
    """The benchmark tables as Markdown lines; `h` is the heading prefix of a platform section;
    `explain` adds what the ratios measure (the README says it in its own words above the block)."""
    plan = merged["plan"]
    tools = merged["tools"]
    m = merged["machine"]
    il = merged.get("interleaved")
    lines = [
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['mem_gib']} GiB, Linux {m['kernel']}, "
        f"{m['rustc']}, Python {m['python']}. Run {merged['finished']} ({'quick' if plan.get('quick') else 'full'} mode, "
        f"{merged['elapsed_s']:.0f} s). Reproduce: `{command}`.\n",
        "All tools talk to the same simulated devices (`netkeep sim`, one process per platform, on 127.0.0.1) in the "
        "same run. Each cell: the figure, and for the other tools (×ratio) = tool / netkeep (for commands/s a ratio "
        "below 1 means netkeep is faster)." + ("" if not explain else " What the ratios measure: against the **baseline (bare russh)**, what "
        "netkeep's session layer (prompt detection, output cleaning, locking, timeouts) costs over the least a "
        "client can do with the same SSH library, with noise either way; against **Netmiko 4.8 defaults**, what a "
        "user of Netmiko's documented defaults waits (its fixed read-loop sleeps dominate on a fast device); against "
        "**Netmiko 4.8 tuned**, what Netmiko costs when the caller passes the prompt (`expect_string`); against "
        "**Scrapli 2**, the same with its read backoff tuned for low latency. CPU rows: user+sys time of the "
        "client process (and its `ssh` children for Scrapli bin) per command, which a busy machine disturbs less "
        "than wall time.") + "\n",
        "Every output is checked: expected text present, no echo, no prompt, no NUL. A figure measured on outputs "
        "that failed their checks is not shown: its cell says `✗ failed` and why (connect-all time and memory do "
        "not depend on outputs and stay).\n",
    ]
    if il:
        lines.append(
            f"netkeep and baseline small-command and ~1 MB rows: one session of each on the same device in one "
            f"process, in alternating blocks ({il['rounds']} rounds of {il['small_block']} commands, and of one "
            f"~1 MB output, the order swapped each round; `netkeep-bench interleaved`).\n"
        )
    present = [(k, n) for k, n in TOOLS if k in tools]
    for platform in plan["platforms"]:
        lines += platform_table(merged, platform, present, h)
    lines.append("Keepalive method per tool: " + "; ".join(
        f"{n}: {get(tools[k], 'platforms', next(iter(plan['platforms'])), 'alive_method') or '—'}" for k, n in present
    ) + ".\n")
    lines.append("Settings per tool: " + "; ".join(f"{n}: {settings_of(k, tools[k])}" for k, n in present) + ".\n")
    lines += checks_section(merged, present, h)
    lines += targets(merged, h)
    return lines


def platform_table(merged: dict, platform: str, present: list, h: str) -> list:
    """One platform's table: every figure per tool, failed figures shown as failed."""
    plan = merged["plan"]
    tools = merged["tools"]
    lines = []
    lines.append(f"{h} {platform}\n")
    lines.append("| figure | " + " | ".join(n for _, n in present) + " |")
    lines.append("|---|" + "---|" * len(present))
    for row in figures(plan, platform, tools):
        cells = [cell(tools, k, platform, row) for k, _ in present]
        if row.path[0] == "fleet" and row.path[-1] == "cps":
            for i, (k, _) in enumerate(present):
                nf = get(tools[k], "platforms", platform, "fleet", row.path[1], "failed_sessions")
                if nf:
                    cells[i] += f" **{nf} sessions failed**"
        lines.append(f"| {row.label} | " + " | ".join(cells) + " |")
    if platform == plan.get("daemon", {}).get("platform"):
        d = get(tools.get("netkeep", {}), "daemon_exec_ms")
        v = get(d, "p50")
        c = failed_text(d) or (fmt_ms(v) if v is not None else "missing")
        cells = [c if k == "netkeep" else "—" for k, _ in present]
        lines.append("| `netkeep exec` via daemon from a fresh process, p50 | " + " | ".join(cells) + " |")
    sizes = {n: get(tools[k], "platforms", platform, "big_output", "bytes") for k, n in present}
    sizes = {n: b for n, b in sizes.items() if b}
    if sizes:
        lines.append("")
        lines.append("Large output bytes returned: " + ", ".join(f"{n} {b:,}" for n, b in sizes.items()) + ".")
    pat = next((get(tools[k], "platforms", platform, "corrected_prompt_pattern") for k, _ in present
                if get(tools[k], "platforms", platform, "corrected_prompt_pattern")), None)
    if pat:
        lines.append("")
        lines.append(f"Scrapli's corrected `{platform}` prompt pattern: `{pat}` (its stock top-level pattern "
                     "`^.*[>#$]\\s?+$` also matches the `#` separator lines of a Comware configuration).")
    lines.append("")
    return lines


def checks_section(merged: dict, present: list, h: str) -> list:
    """Outputs checked and failed per tool, with the first failures and errors verbatim."""
    tools = merged["tools"]
    lines = []
    lines.append(f"{h} Output checks and errors\n")
    lines.append("| tool | version | outputs checked OK | failed | errors |")
    lines.append("|---|---|---|---|---|")
    for k, n in present:
        t = tools[k]
        lines.append(f"| {n} | {t.get('version', '')} | {get(t, 'checks', 'ok')} | {get(t, 'checks', 'failed')} | {len(t.get('errors', []))} |")
    lines.append("")
    for k, n in present:
        t = tools[k]
        fails = get(t, "checks", "failures") or []
        errs = t.get("errors", [])
        if fails or errs:
            lines.append(f"{n}:")
            for e in errs[:8]:
                lines.append(f"- error: `{e[:300]}`")
            for f in fails[:5]:
                lines.append(f"- failed check: `{f[:300]}`")
            lines.append("")
    for k in merged.get("missing", []):
        lines.append(f"- {k}: no result (driver failed or not run; see bench/results/tmp/*.log)")
    if merged.get("missing"):
        lines.append("")
    return lines


def targets(merged: dict, h: str) -> list:
    plan = merged["plan"]
    tools = merged["tools"]
    nk = tools.get("netkeep")
    fl = tools.get("russh-floor")
    lines = [f"{h} netkeep against its targets (issue 6)\n", "| target | measured | verdict |", "|---|---|---|"]

    def verdict(ok):
        return "—" if ok is None else ("met" if ok else "**missed**")

    for platform in plan["platforms"]:
        a = get(nk, "platforms", platform, "small_cmd_ms", "p50") if nk else None
        b = get(fl, "platforms", platform, "small_cmd_ms", "p50") if fl else None
        r = a / b if a and b else None
        ca = get(nk, "platforms", platform, "small_cmd_ms", "cpu_ms_per_cmd") if nk else None
        cb = get(fl, "platforms", platform, "small_cmd_ms", "cpu_ms_per_cmd") if fl else None
        cpu = f"; CPU per command {fmt_ms(ca)} vs {fmt_ms(cb)} = {ca / cb:.2f}×" if ca and cb else ""
        lines.append(
            f"| {platform}: small command ≤ {TARGETS['small_vs_baseline']}× baseline | "
            + (f"{fmt_ms(a)} vs {fmt_ms(b)} = {r:.2f}×{cpu}" if r else "missing")
            + f" | {verdict(None if r is None else r <= TARGETS['small_vs_baseline'])} |"
        )
        c = get(nk, "platforms", platform, "connect_ms", "p50") if nk else None
        lines.append(f"| {platform}: connect to ready ≤ {TARGETS['connect_ms']:.0f} ms | {fmt_ms(c) or 'missing'} | {verdict(None if c is None else c <= TARGETS['connect_ms'])} |")
    for platform in plan.get("fleet_platforms", []):
        big = str(max(plan["fleet_sizes"]))
        mem = get(nk, "platforms", platform, "fleet", big, "mem_kib_per_session") if nk else None
        lines.append(f"| memory per session ≤ {TARGETS['mem_kib']:.0f} KiB ({big} open) | {fmt_num(mem, ' KiB') if mem is not None else 'missing'} | {verdict(None if mem is None else mem <= TARGETS['mem_kib'])} |")
    d = get(nk, "daemon_exec_ms", "p50") if nk else None
    lines.append(f"| warm `netkeep exec` via daemon ≤ {TARGETS['daemon_ms']:.0f} ms | {fmt_ms(d) or 'missing (' + ((get(nk, 'daemon_error') if nk else None) or 'not measured') + ')'} | {verdict(None if d is None else d <= TARGETS['daemon_ms'])} |")
    lines.append("")
    return lines


def write_md(out_dir: str, merged: dict, command: str, has_png: bool) -> str:
    lines = ["## Benchmarks\n"] + tables(merged, command, "###")
    if has_png:
        lines.append("![latency and throughput by tool](bench.png)\n")
    text = "\n".join(lines)
    with open(os.path.join(out_dir, "RESULTS.md"), "w", encoding="utf-8") as f:
        f.write(text)
    return text


README_BEGIN = "<!-- bench:begin (generated by bench/run.sh --update-readme; edit bench/py/aggregate.py, not this) -->"
README_END = "<!-- bench:end -->"


def update_readme(path: str, merged: dict, command: str) -> None:
    """Replaces the README's generated benchmark tables (between the markers) with this run's."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    b = text.find(README_BEGIN)
    e = text.find(README_END)
    if b < 0 or e < b:
        raise SystemExit(f"aggregate: {path} has no '{README_BEGIN}' ... '{README_END}' block")
    body = "\n".join(tables(merged, command, "####", explain=False)).rstrip() + "\n"
    text = text[: b + len(README_BEGIN)] + "\n" + body + text[e:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def short(v: float) -> str:
    return f"{v / 1000:.3g}k" if v >= 1000 else f"{v:.3g}"


PALETTE = {
    "netkeep": "#1f77b4", "russh-floor": "#7f7f7f", "scrapli-ssh2": "#2ca02c", "scrapli-bin": "#98df8a",
    "netmiko": "#d62728", "netmiko-tuned": "#ff9896",
}


def _bars(ax, present, groups, value, failed, title, ylabel, alt=None):
    """Grouped log-scale bars; a figure from failed outputs gets a red ✗ instead of a bar (and,
    where `alt` gives one, a hatched bar of the corrected run beside the ✗)."""
    width = 0.8 / max(len(present), 1)
    for i, (k, n) in enumerate(present):
        xs = [j + i * width for j in range(len(groups))]
        vals = [value(k, g) for g in groups]
        bad = [failed(k, g) for g in groups]
        shown = [v if v and not f else 0 for v, f in zip(vals, bad)]
        b = ax.bar(xs, shown, width, label=n, color=PALETTE.get(k, "#333333"))
        for rect, v, f in zip(b, vals, bad):
            x = rect.get_x() + rect.get_width() / 2
            if f:
                ax.annotate("✗ failed", (x, 0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                            textcoords="offset points", ha="center", va="bottom", rotation=90, fontsize=7, color="#c00000")
                g = groups[list(b).index(rect)]
                a = alt(k, g) if alt else None
                if a:
                    ax.bar([x], [a], width * 0.6, color="white", edgecolor=PALETTE.get(k, "#333333"), hatch="//")
                    ax.annotate(f"{short(a)}\ncorrected\nprompt", (x, a), ha="center", va="bottom", fontsize=6)
            elif v:
                ax.annotate(short(v), (x, v), ha="center", va="bottom", fontsize=6.5)
    ax.set_xticks([j + width * (len(present) - 1) / 2 for j in range(len(groups))])
    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi * 3)  # room for the labels above the tallest bar
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)


def plot(out_dir: str, merged: dict) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    plan = merged["plan"]
    tools = merged["tools"]
    present = [(k, n) for k, n in TOOLS if k in tools]
    platforms = list(plan["platforms"])
    fig, axes = plt.subplots(2, 2, figsize=(17, 10))

    def per_platform(path):
        def value(k, p):
            return get(tools[k], "platforms", p, *path)

        def failed(k, p):
            return bool(failed_text(get(tools[k], "platforms", p, *path[:-1])))

        return value, failed

    for ax, path, title in [
        (axes[0][0], ("small_cmd_ms", "p50"), "small command latency, p50 (lower is better)"),
        (axes[0][1], ("connect_ms", "p50"), "connect to ready prompt, p50 (lower is better)"),
        (axes[1][0], ("big_output", "p50"), "~1 MB running config end to end, p50 (lower is better)"),
    ]:
        v, f = per_platform(path)
        alt = None
        if path[0] == "big_output":
            def alt(k, p):
                return get(tools[k], "platforms", p, "big_output_corrected", "p50")
        _bars(ax, present, platforms, v, f, title, "ms (log)", alt)
        ax.set_xticklabels(platforms)
    ax = axes[1][1]
    fp = plan.get("fleet_platforms", [])
    if fp:
        sizes = [str(s) for s in plan["fleet_sizes"]]

        def value(k, s):
            return get(tools[k], "platforms", fp[0], "fleet", s, "cps")

        def failed(k, s):
            return bool(failed_text(get(tools[k], "platforms", fp[0], "fleet", s)))

        _bars(ax, present, sizes, value, failed, f"throughput, {fp[0]} fleet (higher is better)", "commands / s (log)")
        ax.set_xticklabels([f"{s} devices" for s in sizes])
    axes[0][0].legend(fontsize=8)
    m = merged["machine"]
    fig.suptitle(f"netkeep vs Netmiko vs Scrapli 2 — simulated devices on 127.0.0.1, {m['nproc']} cores {m['cpu_model']}"
                 " — ✗ failed: the outputs failed their checks, no figure shown", fontsize=11)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "bench.png"), dpi=100)
    plt.close(fig)
    return True


def overlay_interleaved(tools: dict, il: dict) -> dict:
    """netkeep's and the baseline's small-command and ~1 MB figures come from the interleaved
    run (same device, alternating blocks); their separate-run figures stay as `*_separate`."""
    for platform, by_tool in (il.get("platforms") or {}).items():
        for k, figs in by_tool.items():
            t = tools.setdefault(k, {"tool": k, "version": il.get("version", ""), "platforms": {},
                                     "checks": {"ok": 0, "failed": 0, "failures": []}, "errors": []})
            res = t["platforms"].setdefault(platform, {})
            for key, fig in (figs or {}).items():
                if key in res:
                    res[f"{key}_separate"] = res[key]
                res[key] = fig
                ck = fig.get("checks") or {}
                t["checks"]["ok"] = (t["checks"].get("ok") or 0) + ck.get("ok", 0)
                t["checks"]["failed"] = (t["checks"].get("failed") or 0) + ck.get("failed", 0)
                t["checks"].setdefault("failures", []).extend(ck.get("failures", [])[:5])
    for e in il.get("errors", []):
        tools.get("netkeep", {}).setdefault("errors", []).append(f"interleaved: {e}")
    return {"rounds": il.get("rounds"), "small_block": il.get("small_block")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--command", default="bench/run.sh")
    ap.add_argument("--started", type=float, default=time.time())
    ap.add_argument("--readme", default="", help="also rewrite this README's generated tables (between markers)")
    a = ap.parse_args()
    with open(os.path.join(a.tmp, "plan.json"), encoding="utf-8") as f:
        plan = json.load(f)
    tools = {}
    for path in sorted(glob.glob(os.path.join(a.tmp, "result-*.json"))):
        try:
            with open(path, encoding="utf-8") as f:
                r = json.load(f)
            tools[r["tool"]] = r
        except (OSError, ValueError, KeyError) as e:
            print(f"aggregate: skipping {path}: {e}")
    il = tools.pop("interleaved", None)
    interleaved = overlay_interleaved(tools, il) if il else None
    missing = [k for k, _ in TOOLS if k not in tools] + ([] if il else ["interleaved"])
    merged = {
        "machine": machine(),
        "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "elapsed_s": time.time() - a.started,
        "command": a.command,
        "plan": plan,
        "tools": tools,
        "missing": missing,
    }
    if interleaved:
        merged["interleaved"] = interleaved
    os.makedirs(a.out_dir, exist_ok=True)
    with open(os.path.join(a.out_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=2)
    has_png = plot(a.out_dir, merged)
    print(write_md(a.out_dir, merged, a.command, has_png))
    if a.readme:
        update_readme(a.readme, merged, a.command)
        print(f"aggregate: rewrote the benchmark tables in {a.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
