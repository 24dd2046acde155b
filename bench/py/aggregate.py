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

# Column order and display names.
TOOLS = [
    ("netkeep", "netkeep"),
    ("russh-floor", "bare russh (floor)"),
    ("scrapli-ssh2", "Scrapli 2 ssh2"),
    ("scrapli-bin", "Scrapli 2 bin"),
    ("netmiko", "Netmiko 4.8"),
]

TARGETS = {
    "small_vs_floor": 1.5,
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


def figures(plan: dict, platform: str) -> list:
    """(label, path into a tool's platform result, formatter, higher_is_better)."""
    rows = [
        ("connect to ready prompt, p50", ("connect_ms", "p50"), fmt_ms, False),
        ("small command, p50", ("small_cmd_ms", "p50"), fmt_ms, False),
        ("small command, p99", ("small_cmd_ms", "p99"), fmt_ms, False),
        ("~1 MB running config end to end, p50", ("big_output", "p50"), fmt_ms, False),
        ("is_alive() / one keepalive, p50", ("alive_ms", "p50"), fmt_ms, False),
        ("netkeep probe() (SSH ping, nothing written to the shell), p50", ("probe_ms", "p50"), fmt_ms, False),
    ]
    if platform in plan.get("fleet_platforms", []):
        for n in plan["fleet_sizes"]:
            rows.append((f"{n} devices in parallel: commands/s", ("fleet", str(n), "cps"), lambda v: fmt_num(v, "/s"), True))
            rows.append((f"{n} devices in parallel: p50 latency", ("fleet", str(n), "p50_ms"), fmt_ms, False))
            rows.append((f"{n} devices: connect all", ("fleet", str(n), "connect_all_s"), lambda v: fmt_num(v, " s"), False))
        big = str(max(plan["fleet_sizes"]))
        rows.append((f"client memory per open session ({big} open)", ("fleet", big, "mem_kib_per_session"), lambda v: fmt_num(v, " KiB"), False))
    return rows


def cell(v, base, fmt, higher_better, is_base):
    if v is None:
        return "—"
    s = fmt(v)
    if is_base or base is None or base == 0:
        return s
    r = v / base
    return f"{s} (×{r:.3g})"


def tool_failed(res: dict) -> bool:
    return bool(res) and get(res, "checks", "failed")


def write_md(out_dir: str, merged: dict, command: str, has_png: bool) -> str:
    plan = merged["plan"]
    tools = merged["tools"]
    m = merged["machine"]
    lines = []
    lines.append("## Benchmarks\n")
    lines.append(
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['mem_gib']} GiB, Linux {m['kernel']}, "
        f"{m['rustc']}, Python {m['python']}. Run {merged['finished']} ({'quick' if plan.get('quick') else 'full'} mode, "
        f"{merged['elapsed_s']:.0f} s). Reproduce: `{command}`.\n"
    )
    lines.append(
        "All tools talk to the same simulated devices (`netkeep sim`, one process per platform, "
        "on 127.0.0.1) in the same run. Each cell: the figure, and for the other tools (×ratio) = "
        "tool / netkeep (for commands/s a ratio below 1 means netkeep is faster). "
        "Every output is checked: expected text present, no echo, no prompt, no NUL.\n"
    )
    present = [(k, n) for k, n in TOOLS if k in tools]
    for platform in plan["platforms"]:
        lines.append(f"### {platform}\n")
        lines.append("| figure | " + " | ".join(n for _, n in present) + " |")
        lines.append("|---|" + "---|" * len(present))
        for label, path, fmt, hib in figures(plan, platform):
            base = get(tools.get("netkeep", {}), "platforms", platform, *path)
            cells = [cell(get(tools[k], "platforms", platform, *path), base, fmt, hib, k == "netkeep") for k, _ in present]
            if path[0] == "fleet" and path[-1] == "cps":
                for i, (k, _) in enumerate(present):
                    nf = get(tools[k], "platforms", platform, "fleet", path[1], "failed_sessions")
                    if nf:
                        cells[i] += f" **{nf} sessions failed**"
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        if platform == plan.get("daemon", {}).get("platform"):
            v = get(tools.get("netkeep", {}), "daemon_exec_ms", "p50")
            cells = [fmt_ms(v) if k == "netkeep" and v is not None else "—" for k, _ in present]
            if v is None:
                cells[0] = "missing"
            lines.append("| `netkeep exec` via daemon from a fresh process, p50 | " + " | ".join(cells) + " |")
        sizes = {n: get(tools[k], "platforms", platform, "big_output", "bytes") for k, n in present}
        sizes = {n: b for n, b in sizes.items() if b}
        if sizes:
            lines.append("")
            lines.append("Large output bytes returned: " + ", ".join(f"{n} {b:,}" for n, b in sizes.items()) + ".")
        lines.append("")
    lines.append("Keepalive method per tool: " + "; ".join(
        f"{n}: {get(tools[k], 'platforms', next(iter(plan['platforms'])), 'alive_method') or '—'}" for k, n in present
    ) + ".\n")

    # Correctness and errors.
    lines.append("### Output checks and errors\n")
    lines.append("| tool | version | outputs checked OK | failed | errors |")
    lines.append("|---|---|---|---|---|")
    for k, n in present:
        t = tools[k]
        errs = t.get("errors", [])
        lines.append(f"| {n} | {t.get('version', '')} | {get(t, 'checks', 'ok')} | {get(t, 'checks', 'failed')} | {len(errs)} |")
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

    # Targets.
    lines.append("### netkeep against its targets (issue 6)\n")
    nk = tools.get("netkeep")
    fl = tools.get("russh-floor")
    lines.append("| target | measured | verdict |")
    lines.append("|---|---|---|")

    def verdict(ok):
        return "—" if ok is None else ("met" if ok else "**missed**")

    for platform in plan["platforms"]:
        a = get(nk, "platforms", platform, "small_cmd_ms", "p50") if nk else None
        b = get(fl, "platforms", platform, "small_cmd_ms", "p50") if fl else None
        r = a / b if a and b else None
        lines.append(
            f"| {platform}: small command ≤ {TARGETS['small_vs_floor']}× floor | "
            + (f"{fmt_ms(a)} vs {fmt_ms(b)} = {r:.2f}×" if r else "missing")
            + f" | {verdict(None if r is None else r <= TARGETS['small_vs_floor'])} |"
        )
        c = get(nk, "platforms", platform, "connect_ms", "p50") if nk else None
        lines.append(f"| {platform}: connect to ready ≤ {TARGETS['connect_ms']:.0f} ms | {fmt_ms(c) or 'missing'} | {verdict(None if c is None else c <= TARGETS['connect_ms'])} |")
    for platform in plan.get("fleet_platforms", []):
        big = str(max(plan["fleet_sizes"]))
        mem = get(nk, "platforms", platform, "fleet", big, "mem_kib_per_session") if nk else None
        lines.append(f"| memory per session ≤ {TARGETS['mem_kib']:.0f} KiB ({big} open) | {fmt_num(mem, ' KiB') if mem is not None else 'missing'} | {verdict(None if mem is None else mem <= TARGETS['mem_kib'])} |")
    d = get(nk, "daemon_exec_ms", "p50") if nk else None
    lines.append(f"| warm `netkeep exec` via daemon ≤ {TARGETS['daemon_ms']:.0f} ms | {fmt_ms(d) or 'missing (' + (get(nk, 'daemon_error') or 'not measured') + ')'} | {verdict(None if d is None else d <= TARGETS['daemon_ms'])} |")
    lines.append("")
    if has_png:
        lines.append("![latency and throughput by tool](bench.png)\n")
    text = "\n".join(lines)
    with open(os.path.join(out_dir, "RESULTS.md"), "w", encoding="utf-8") as f:
        f.write(text)
    return text


def short(v: float) -> str:
    return f"{v / 1000:.3g}k" if v >= 1000 else f"{v:.3g}"


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
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2))
    palette = {"netkeep": "#1f77b4", "russh-floor": "#7f7f7f", "scrapli-ssh2": "#2ca02c", "scrapli-bin": "#98df8a", "netmiko": "#d62728"}

    def bars(ax, path, title, ylabel):
        width = 0.8 / max(len(present), 1)
        for i, (k, n) in enumerate(present):
            vals = [get(tools[k], "platforms", p, *path) or 0 for p in platforms]
            xs = [j + i * width for j in range(len(platforms))]
            b = ax.bar(xs, vals, width, label=n, color=palette.get(k, "#333333"))
            for rect, v in zip(b, vals):
                if v:
                    ax.annotate(short(v), (rect.get_x() + rect.get_width() / 2, v), ha="center", va="bottom", fontsize=6.5)
        ax.set_xticks([j + width * (len(present) - 1) / 2 for j in range(len(platforms))])
        ax.set_xticklabels(platforms)
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_ylabel(ylabel)

    bars(axes[0], ("small_cmd_ms", "p50"), "small command latency, p50 (lower is better)", "ms (log)")
    bars(axes[1], ("connect_ms", "p50"), "connect to ready prompt, p50 (lower is better)", "ms (log)")
    ax = axes[2]
    fp = plan.get("fleet_platforms", [])
    if fp:
        sizes = plan["fleet_sizes"]
        width = 0.8 / max(len(present), 1)
        for i, (k, n) in enumerate(present):
            vals = [get(tools[k], "platforms", fp[0], "fleet", str(s), "cps") or 0 for s in sizes]
            xs = [j + i * width for j in range(len(sizes))]
            b = ax.bar(xs, vals, width, label=n, color=palette.get(k, "#333333"))
            for rect, v in zip(b, vals):
                if v:
                    ax.annotate(short(v), (rect.get_x() + rect.get_width() / 2, v), ha="center", va="bottom", fontsize=6.5)
        ax.set_xticks([j + width * (len(present) - 1) / 2 for j in range(len(sizes))])
        ax.set_xticklabels([f"{s} devices" for s in sizes])
        ax.set_yscale("log")
        ax.set_title(f"throughput, {fp[0]} fleet (higher is better)")
        ax.set_ylabel("commands / s (log)")
    axes[0].legend(fontsize=8)
    m = merged["machine"]
    fig.suptitle(f"netkeep vs Netmiko vs Scrapli 2 — simulated devices on 127.0.0.1, {m['nproc']} cores {m['cpu_model']}", fontsize=11)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "bench.png"), dpi=110)
    plt.close(fig)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--command", default="bench/run.sh")
    ap.add_argument("--started", type=float, default=time.time())
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
    missing = [k for k, _ in TOOLS if k not in tools]
    merged = {
        "machine": machine(),
        "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "elapsed_s": time.time() - a.started,
        "command": a.command,
        "plan": plan,
        "tools": tools,
        "missing": missing,
    }
    os.makedirs(a.out_dir, exist_ok=True)
    with open(os.path.join(a.out_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=2)
    has_png = plot(a.out_dir, merged)
    print(write_md(a.out_dir, merged, a.command, has_png))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
