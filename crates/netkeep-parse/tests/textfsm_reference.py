#!/usr/bin/env python3
"""Python textfsm's answers, as JSON, for netkeep-parse's differential tests.

  textfsm_reference.py versions
  textfsm_reference.py corpus FIXTURES_DIR TEMPLATE_DIR   # every <platform>/<command>/*.raw
  textfsm_reference.py compile TEMPLATE_DIR               # compile every *.textfsm
  textfsm_reference.py cases CASES_DIR TEMPLATE_DIR       # ntc-templates tests/ layout too

Records come from textfsm's clitable, as Netmiko and ntc-templates get them: the index picks
the templates for (platform, command), several templates are merged on their Key values, keys
are lower-cased. The command of a fixture is its directory name with '_' read as ' ', as in
ntc-templates' own tests.
"""
import json
import os
import sys

import textfsm
from textfsm import clitable


def records(table):
    header = [h.lower() for h in table.header]
    out = []
    for row in table:
        rec = {}
        for key, value in zip(header, row):
            rec[key] = list(value) if isinstance(value, list) else value
        out.append(rec)
    return out


def parse_case(table, platform, command, raw):
    attrs = {"Command": command, "Platform": platform}
    row = table.index.GetRowMatch(attrs)
    templates = table.index.index[row]["Template"] if row else None
    try:
        table.ParseCmd(raw, attrs)
        return {"templates": templates, "records": records(table)}
    except Exception as exc:  # the Rust side must fail too; the message is informative only
        return {"templates": templates, "error": "%s: %s" % (type(exc).__name__, exc)}


def walk(root):
    for platform in sorted(os.listdir(root)):
        pdir = os.path.join(root, platform)
        if not os.path.isdir(pdir):
            continue
        for cmd_dir in sorted(os.listdir(pdir)):
            cdir = os.path.join(pdir, cmd_dir)
            if not os.path.isdir(cdir):
                continue
            for name in sorted(os.listdir(cdir)):
                if name.endswith(".raw"):
                    yield platform, cmd_dir, os.path.join(cdir, name)


def corpus(fixtures, template_dir):
    table = clitable.CliTable("index", template_dir)
    cases = []
    for platform, cmd_dir, path in walk(fixtures):
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            raw = f.read()
        command = cmd_dir.replace("_", " ")
        case = parse_case(table, platform, command, raw)
        case.update(file=os.path.relpath(path, fixtures), platform=platform, command=command)
        cases.append(case)
    return cases


def compile_all(template_dir):
    result = {}
    for name in sorted(os.listdir(template_dir)):
        if not name.endswith(".textfsm"):
            continue
        try:
            with open(os.path.join(template_dir, name)) as f:
                textfsm.TextFSM(f)
            result[name] = None
        except Exception as exc:
            result[name] = "%s: %s" % (type(exc).__name__, exc)
    return result


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "versions":
        import importlib.metadata as md
        out = {p: md.version(p) for p in ("textfsm", "ntc-templates")}
    elif mode in ("corpus", "cases") and len(argv) == 4:
        out = corpus(argv[2], argv[3])
    elif mode == "compile" and len(argv) == 3:
        out = compile_all(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
