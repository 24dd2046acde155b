#!/usr/bin/env python3
"""Differential fuzzing of netkeep-parse against Python textfsm (not run in CI).

Generates random TextFSM templates (every Value option in random orders, states, every action,
Python regex constructs) and random inputs (odd line breaks, non-ASCII), parses each with Python
textfsm and with netkeep-parse (the `jsonl` example, many cases per process), and reports every
case where the records differ or only one side fails.

  python scripts/textfsm_fuzz.py [--cases N] [--seed S] [--show K]
  (needs textfsm==2.1.0 in this Python; builds the example with cargo; CARGO_TARGET_DIR is honoured)
"""
import argparse
import io
import json
import os
import random
import subprocess
import sys

import textfsm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

VALUE_REGEXES = [r"(\d+)", r"(\S+)", r"(\w+)", r"([a-c]+)", r"(.*)", r"(\d+|x)", r"(a|)", r"(\s*)",
                 r"([^ ]*)", r"(x?)", r"(\d{1,2})", r"(K)", r"((?i)a)", r"((a)|(b))", r"(a(?=1))",
                 r"(\w+(?<=1))", r"(\d*?)", r"([\w.]+)"]
LIST_REGEXES = [r"((?P<n>\w)(?P<m>\d)?)", r"((?P<x>a+)|b)", r"((?P<q>\d))"]
OPTIONS = ["Filldown", "Fillup", "Required", "Key", "List"]
TOKENS = ["a", "b", "x", "1", r"\s+", r"\s*", r".*", r"\d+", r"(?=a)", r"(?!b)", r"\b", r"(?:a|b)",
          r"[ab]", " ", r"(?i:x)", r"\S", "$$", r"\$$", r"é", r"\W", r"\D+", r"(?i:[a-c]+)",
          r"(?:a|ab)(?:c|bcd)", r"a{2,}", r"(a*)*", r"(a|)*b", r"(?>a+)b", r"a++", r"(a)\1",
          r"(b)?(?(1)x|y)", r"[^\s]", r"(?<=a)b"]
ACTIONS = ["", " -> Record", " -> Continue", " -> Continue.Record", " -> Next.Clear", " -> Clearall",
           " -> Error", ' -> Error "bad"', " -> {s}", " -> Record {s}", " -> End", " -> EOF",
           " -> NoRecord", " -> Next.Clearall {s}", " -> Continue {s}"]
INPUT_TOKENS = ["a", "b", "1", "22", "x", " ", "  ", "a1", "é", "\t", "K", "\u212a", "ab1", "b2 a",
                "aa", "abcd", "cd", "y", "bx", "\x1f", "\xa0", "\u0663"]
BREAKS = ["\n"] * 8 + ["\r\n", "\r", "\x0b", "\x1c", "\u2028"]


SAMPLES = {r"\s+": [" ", "  ", "\t"], r"\s*": ["", " "], r".*": ["", "a b", "x1"], r"\d+": ["1", "22"],
           r"\b": [""], r"\S": ["a", "1"], "$$": [""], r"\$$": ["$"], r"\W": [" ", "-"], r"\D+": ["ab", " "],
           r"(?:a|ab)(?:c|bcd)": ["ac", "abcd"], r"a{2,}": ["aa"], r"(a*)*": ["", "aa"], r"(a|)*b": ["b", "aab"],
           r"(?>a+)b": ["ab"], r"a++": ["aa"], r"(a)\1": ["aa"], r"(b)?(?(1)x|y)": ["bx", "y"],
           r"[^\s]": ["a"], r"(?<=a)b": ["b"], r"(?=a)": [""], r"(?!b)": [""], r"(?:a|b)": ["a", "b"],
           r"[ab]": ["b"], r"(?i:x)": ["X"], r"(?i:[a-c]+)": ["AbC"]}
VALUE_SAMPLES = ["12", "ab", "x", "a1", "", "Gi0/1", "a.b", "K", "é", "aa", "b2", "1 2"]


def realize(rule, r):
    """An input line the rule's regex may match (its tokens sampled)."""
    out = []
    for tok in rule:
        if tok.startswith("${"):
            out.append(r.choice(VALUE_SAMPLES))
        else:
            out.append(r.choice(SAMPLES.get(tok, [tok])))
    return "".join(out)


def gen_template(r):
    names = [r.choice(["A", "B", "C", "a", "Bb", "D_1"]) + str(i) if r.random() < 0.9 else "A"
             for i in range(r.randint(1, 4))]
    lines = []
    for name in names:
        opts = r.sample(OPTIONS, r.randint(0, 3))
        regex = r.choice(LIST_REGEXES) if "List" in opts and r.random() < 0.5 else r.choice(VALUE_REGEXES)
        lines.append("Value %s%s %s" % (",".join(opts) + " " if opts else "", name, regex))
    states = ["Start"] + ["S%d" % i for i in range(r.randint(0, 2))]
    body = []
    for st in states:
        body.append("")
        body.append(st)
        for _ in range(r.randint(1, 5)):
            unused = r.sample(names, len(names))
            toks = [("${%s}" % unused.pop()) if unused and r.random() < (0.7 if k == 0 else 0.45)
                    else r.choice(TOKENS) for k in range(r.randint(0, 4))]
            weights = [6, 5, 4, 3, 2, 2, 1, 1, 2, 2, 1, 1, 1, 1, 1]
            action = r.choices(ACTIONS, weights)[0].format(s=r.choice(states + ["End", "EOF"]))
            body.append("  ^" + "".join(toks) + action)
            RULES.append(toks)
    if r.random() < 0.15:
        body += ["", "EOF"]
    if r.random() < 0.1:
        body += ["", "End"]
    return "\n".join(lines + body) + "\n"


RULES = []


def gen_input(r):
    """Lines mostly made to match the last template's rules, some random."""
    lines = []
    for _ in range(r.randint(0, 14)):
        if RULES and r.random() < 0.75:
            line = realize(r.choice(RULES), r)
        else:
            line = "".join(r.choice(INPUT_TOKENS) for _ in range(r.randint(0, 5)))
        lines.append(line + r.choice(BREAKS))
    return "".join(lines)


def python_answer(template, text):
    try:
        fsm = textfsm.TextFSM(io.StringIO(template))
    except Exception as exc:
        return {"error": "%s: %s" % (type(exc).__name__, exc), "stage": "template"}
    try:
        rows = fsm.ParseText(text)
    except Exception as exc:
        return {"error": "%s: %s" % (type(exc).__name__, exc), "stage": "parse"}
    header = [h.lower() for h in fsm.header]
    return {"records": [dict(zip(header, row)) for row in rows]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=5)
    args = ap.parse_args()
    r = random.Random(args.seed)
    cases = []
    for _ in range(args.cases):
        RULES.clear()
        template = gen_template(r)
        cases.append((template, gen_input(r)))
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "netkeep-parse", "--example", "jsonl"],
                   cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    payload = "".join(json.dumps({"template": t, "input": i}) + "\n" for t, i in cases)
    out = subprocess.run([os.path.join(target, "release", "examples", "jsonl")], input=payload,
                         capture_output=True, text=True, check=True).stdout.split("\n")[:-1]
    kinds = {}
    shown = 0
    with_records = sum(1 for line in out if json.loads(line).get("records"))
    for (template, text), line in zip(cases, out):
        ours, theirs = json.loads(line), python_answer(template, text)
        if ("error" in ours) == ("error" in theirs) and ours.get("records") == theirs.get("records"):
            if "error" not in ours or ours["stage"] == theirs["stage"]:
                continue
        kind = "%s/%s" % (ours.get("stage", "ok"), theirs.get("stage", "ok"))
        kinds[kind] = kinds.get(kind, 0) + 1
        if shown < args.show:
            shown += 1
            print("=== differs (ours/python: %s)\n--- template\n%s--- input %r\n--- ours   %s\n--- python %s\n"
                  % (kind, template, text, json.dumps(ours)[:600], json.dumps(theirs)[:600]))
    valid = sum(1 for t, _ in cases if "stage" not in python_answer(t, "") or python_answer(t, "")["stage"] != "template")
    print("%d cases (%d with a valid template, %d giving records), %d differ %s"
          % (len(cases), valid, with_records, sum(kinds.values()), kinds))
    return 1 if kinds else 0


if __name__ == "__main__":
    sys.exit(main())
