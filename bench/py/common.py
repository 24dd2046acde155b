"""Shared by the Python benchmark drivers: plan loading, output checks, statistics, memory.

The check and statistics rules are the same as crates/netkeep-bench/src/common.rs: keep them in
step, or the tools are not judged alike.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import dataclass, field


def load_plan(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def prompt_of(pp: dict, port: int, key: str = "prompt") -> str:
    """The prompt of the device on `port` (hostnames differ per device in a fleet)."""
    return pp[key].replace("{host}", pp["hosts"][str(port)])


def _head(s: str, n: int = 60) -> str:
    return s[:n]


def _tail(s: str, n: int = 60) -> str:
    return s[-n:]


@dataclass
class Checker:
    """Counts checked outputs; keeps the first failures verbatim (shortened) for the report and
    counts every failure by kind ("cut short", "prompt in output", ...)."""

    ok: int = 0
    failed: int = 0
    failures: list = field(default_factory=list)
    kinds: dict = field(default_factory=dict)

    def check(self, what: str, out: str, expect: str, cmd: str, prompt: str) -> bool:
        """Expected text present, no echo of the command at the start, no prompt, no NUL."""
        why, kinds = [], []
        if not re.search(expect, out):
            why.append(f"expected /{expect}/ missing")
            kinds.append("expected text missing")
        if out.lstrip().startswith(cmd.strip()):
            why.append("command echo present")
            kinds.append("echo in output")
        if prompt in out:
            why.append(f"prompt {prompt!r} present")
            kinds.append("prompt in output")
        if "\0" in out:
            why.append("NUL present")
            kinds.append("NUL in output")
        if not why:
            self.ok += 1
            return True
        for k in kinds[1:]:
            self.kinds[k] = self.kinds.get(k, 0) + 1
        self.fail(
            f"{what}: {', '.join(why)} (output {len(out)} bytes, head {_head(out)!r}, tail {_tail(out)!r})",
            kinds[0],
        )
        return False

    def fail(self, msg: str, kind: str = "error") -> None:
        self.failed += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if len(self.failures) < 12:
            self.failures.append(msg)

    def merge(self, other: "Checker") -> None:
        self.ok += other.ok
        for f in other.failures:
            if len(self.failures) < 12:
                self.failures.append(f)
        self.failed += other.failed
        for k, n in other.kinds.items():
            self.kinds[k] = self.kinds.get(k, 0) + n

    def to_json(self) -> dict:
        return {"ok": self.ok, "failed": self.failed, "failures": self.failures, "kinds": self.kinds}


def with_checks(fig: dict, ck: Checker) -> dict:
    """A figure with the checks of the outputs it was measured on (a failed figure is not shown)."""
    fig["checks"] = ck.to_json()
    return fig


def cpu_s_tree() -> float:
    """User + system CPU seconds of this process (all threads, exact) and of its live descendants
    (Scrapli's bin transport does its SSH work in one `ssh` child per session; /proc, in clock
    ticks)."""
    me = os.getpid()
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(me)[1:]:
        try:
            with open(f"/proc/{p}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return time.process_time() + total / tick


def _tree(pid: int) -> list:
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                try:
                    with open(f"/proc/{p}/task/{t}/children", encoding="ascii") as f:
                        stack.extend(int(x) for x in f.read().split())
                except OSError:
                    pass
        except OSError:
            pass
    return out


def stats(samples_s: list) -> dict:
    """p50 / p99 (nearest rank), mean, min, max in milliseconds from samples in seconds."""
    if not samples_s:
        return {"n": 0}
    ms = sorted(x * 1e3 for x in samples_s)

    def rank(p: float) -> float:
        i = min(max(math.ceil(p * len(ms)), 1), len(ms)) - 1
        return ms[i]

    return {
        "n": len(ms),
        "p50": rank(0.50),
        "p99": rank(0.99),
        "mean": sum(ms) / len(ms),
        "min": ms[0],
        "max": ms[-1],
    }


def pss_kib_tree(pid: int | None = None) -> int:
    """Proportional set size of a process and all its descendants, in KiB."""
    total = 0
    for p in _tree(pid or os.getpid()):
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total
