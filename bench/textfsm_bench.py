#!/usr/bin/env python3
"""Python textfsm's side of crates/netkeep-parse/examples/bench.rs: the same corpus, the same work.

  NET_TEXTFSM=DIR python bench/textfsm_bench.py FIXTURES_DIR [ROUNDS]

Every <platform>/<command>/*.raw is looked up once in the index (clitable) and its templates
compiled once (textfsm.TextFSM); the timed loop parses every output ROUNDS times with
Reset() + ParseText() per template and builds lower-cased dicts, as Netmiko returns them
(rows of a multi-template index row are not merged here; the Rust side merges, so it does
slightly more). Also timed: the Netmiko path, clitable.ParseCmd per output, which re-reads and
re-builds the template every call. Memory: resident set growth while compiling every template.
"""
import os
import sys
import time

import textfsm
from textfsm import clitable


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


def template_dir():
    d = os.environ.get("NET_TEXTFSM")
    if d:
        return d if os.path.isfile(os.path.join(d, "index")) else os.path.join(d, "templates")
    import ntc_templates
    return os.path.join(os.path.dirname(ntc_templates.__file__), "templates")


def cases(fixtures, table):
    out = []
    for platform in sorted(os.listdir(fixtures)):
        pdir = os.path.join(fixtures, platform)
        if not os.path.isdir(pdir):
            continue
        for cmd_dir in sorted(os.listdir(pdir)):
            cdir = os.path.join(pdir, cmd_dir)
            attrs = {"Command": cmd_dir.replace("_", " "), "Platform": platform}
            row = table.index.GetRowMatch(attrs)
            if not row:
                continue
            names = table.index.index[row]["Template"].split(":")
            for name in sorted(os.listdir(cdir)):
                if name.endswith(".raw"):
                    with open(os.path.join(cdir, name), encoding="utf-8", errors="replace", newline="") as f:
                        out.append((attrs, names, f.read()))
    return out


def main():
    fixtures = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    tdir = template_dir()

    rss0 = rss_kib()
    t = time.perf_counter()
    compiled = {}
    for name in sorted(os.listdir(tdir)):
        if name.endswith(".textfsm"):
            with open(os.path.join(tdir, name)) as f:
                compiled[name] = textfsm.TextFSM(f)
    secs = time.perf_counter() - t
    print("compile: %d templates in %.2f s, resident set +%.1f MiB"
          % (len(compiled), secs, (rss_kib() - rss0) / 1024))

    table = clitable.CliTable("index", tdir)
    work = cases(fixtures, table)
    records = 0
    cpu0 = time.process_time()
    t = time.perf_counter()
    for _ in range(rounds):
        for _attrs, names, raw in work:
            for name in names:
                fsm = compiled[name]
                fsm.Reset()
                header = [h.lower() for h in fsm.header]
                records += len([dict(zip(header, row)) for row in fsm.ParseText(raw)])
    secs = time.perf_counter() - t
    cpu = time.process_time() - cpu0
    parses = rounds * len(work)
    print("parse: %d outputs x %d rounds = %d parses, %d records, %.3f s, %.1f us/parse wall, %.1f us/parse CPU"
          % (len(work), rounds, parses, records, secs, secs * 1e6 / parses, cpu * 1e6 / parses))

    t = time.perf_counter()
    n = max(1, rounds // 4)
    for _ in range(n):
        for attrs, _names, raw in work:
            table.ParseCmd(raw, attrs)
    secs = time.perf_counter() - t
    print("netmiko path (clitable.ParseCmd, template re-read per call): %.1f us/parse"
          % (secs * 1e6 / (n * len(work))))


if __name__ == "__main__":
    main()
