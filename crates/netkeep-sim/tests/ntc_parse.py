#!/usr/bin/env python3
"""Parse simulator outputs with ntc-templates, the way Netmiko's use_textfsm does.

Reads a JSON list of {"platform", "command", "output"} on stdin; for each, looks the command
up in ntc-templates' CliTable index (which template it picks, quirks included) and parses
the output. Writes {"versions": {...}, "results": [{"template", "records", "error"}, ...]}.
Used by tests/ntc_parse.rs.
"""
import json
import os
import sys
from importlib.metadata import version

import ntc_templates
from textfsm import clitable


def parse_one(tdir, item):
    cli = clitable.CliTable("index", tdir)
    attrs = {"Command": item["command"], "Platform": item["platform"]}
    row = cli.index.GetRowMatch(attrs)
    template = cli.index.index[row]["Template"] if row else None
    try:
        cli.ParseCmd(item["output"], attrs)
        records = [dict(zip(cli.header, r)) for r in cli]
        return {"template": template, "records": records, "error": None}
    except Exception as e:  # a template that rejects the output is a result too
        return {"template": template, "records": None, "error": f"{type(e).__name__}: {e}"}


def main():
    items = json.load(sys.stdin)
    tdir = os.path.join(os.path.dirname(ntc_templates.__file__), "templates")
    out = {
        "versions": {"textfsm": version("textfsm"), "ntc_templates": version("ntc_templates")},
        "results": [parse_one(tdir, i) for i in items],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
