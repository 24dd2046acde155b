#!/usr/bin/env python3
"""Lists Rust functions longer than a limit (default 80 lines), outside tests.

    scripts/long_fns.py [--max N] [--all] [PATH...]     (default PATH: crates)

A function counts from its `fn` line to its closing brace (rough brace counting: braces inside
strings, chars and comments are skipped). Skipped: files under tests/, benches/, examples/,
files named tests.rs, and `#[cfg(test)]` modules. A function whose preceding comment lines say
`long-fn:` (why it stays long) is listed only with --all. Exits 1 when anything is listed, so
it can run as a CI check.
"""

import argparse
import pathlib
import re
import sys

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+\"[^\"]*\"\s+)?fn\s+(\w+)")


def strip_code(line, state):
    """The line without string/char literal contents and comments; `state` carries an open
    block comment or raw/plain string across lines."""
    out = []
    i = 0
    while i < len(line):
        if state["block"]:
            j = line.find("*/", i)
            if j < 0:
                return "".join(out)
            state["block"] = False
            i = j + 2
            continue
        if state["str"]:
            end = state["str"]
            j = line.find(end, i)
            while j > 0 and end == '"' and line[j - 1] == "\\" and not _even_backslashes(line, j):
                j = line.find(end, j + 1)
            if j < 0:
                return "".join(out)
            state["str"] = None
            i = j + len(end)
            continue
        c = line[i]
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state["block"] = True
            i += 2
            continue
        m = re.match(r'r(#*)"', line[i:])
        if m and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
            state["str"] = '"' + m.group(1)
            i += len(m.group(0))
            continue
        if c == '"':
            state["str"] = '"'
            i += 1
            continue
        m = re.match(r"'(\\.|[^\\'])'", line[i:])
        if m:
            i += len(m.group(0))
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _even_backslashes(line, j):
    n = 0
    k = j - 1
    while k >= 0 and line[k] == "\\":
        n += 1
        k -= 1
    return n % 2 == 0


def functions(path):
    """Yields (name, first line, length, reasoned) for each function body in the file."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    state = {"block": False, "str": None}
    code = [strip_code(l, state) for l in lines]
    skip_until = -1
    i = 0
    while i < len(lines):
        if i <= skip_until:
            i += 1
            continue
        if code[i].strip().startswith("#[cfg(test)]"):
            end = block_end(code, i + 1)
            skip_until = i + 1 if end is None else end
            i = skip_until + 1
            continue
        m = FN.match(code[i])
        if m:
            end = block_end(code, i)
            if end is not None:
                reasoned = any("long-fn:" in lines[k] for k in range(max(0, i - 6), i))
                yield m.group(7), i + 1, end - i + 1, reasoned
        i += 1


def block_end(code, start):
    """The line where the first `{` at or after `start` is closed (None for `fn f();`)."""
    depth = 0
    opened = False
    for k in range(start, len(code)):
        for c in code[k]:
            if c == "{":
                depth += 1
                opened = True
            elif c == "}":
                depth -= 1
                if opened and depth == 0:
                    return k
            elif c == ";" and not opened and depth == 0:
                return None
    return None


def skipped(path):
    parts = set(path.parts)
    return bool(parts & {"tests", "benches", "examples", "target"}) or path.name == "tests.rs"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=80)
    ap.add_argument("--all", action="store_true", help="also list functions with a long-fn: reason")
    ap.add_argument("paths", nargs="*", default=["crates"])
    a = ap.parse_args()
    found = []
    for root in a.paths:
        p = pathlib.Path(root)
        files = [p] if p.is_file() else sorted(p.rglob("*.rs"))
        for f in files:
            if skipped(f):
                continue
            for name, line, length, reasoned in functions(f):
                if length > a.max and (a.all or not reasoned):
                    found.append((length, f"{f}:{line}", name, reasoned))
    for length, where, name, reasoned in sorted(found, reverse=True):
        print(f"{length:5} {where} {name}{' (long-fn: reason given)' if reasoned else ''}")
    return 1 if any(not r for *_, r in found) else 0


if __name__ == "__main__":
    sys.exit(main())
