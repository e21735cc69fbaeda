#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Keeps docs/ticker.md's table of config keys true to the ticker.

Each config key is declared once, in ticker/src/config_keys.cpp; `pgqpp
ticker --keys` prints that table (name, type, default, reload or restart,
help; tab-separated). This script writes it as the markdown table between
the ticker-keys markers of docs/ticker.md. With --check it changes nothing
and exits 1 when the table differs (run by the test suite).

Usage: ticker-docs.py [--check] [--binary PATH] [--doc PATH]
  (defaults: $BUILD/cli/pgqpp with BUILD defaulting to build/, and docs/ticker.md)
"""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ticker.md"
BEGIN = "<!-- ticker-keys:begin (scripts/ticker-docs.py) -->"
END = "<!-- ticker-keys:end -->"


def keys(binary):
    """(name, kind, default, reload, help) per key, as the binary declares them."""
    out = subprocess.run([binary, "ticker", "--keys"], capture_output=True, text=True,
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"})
    if out.returncode != 0:
        sys.exit(f"ticker-docs: {binary} ticker --keys failed (exit {out.returncode}): {out.stderr.strip()}")
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    if not rows or any(len(r) != 5 for r in rows):
        sys.exit(f"ticker-docs: {binary} ticker --keys printed no table of five columns")
    return rows


def render(rows):
    out = ["| key | type | default | on SIGHUP | meaning |", "|---|---|---|---|---|"]
    for name, kind, default, reload, text in rows:
        shown = f"`{default}`" if default else "(empty)"
        when = "reloaded" if reload == "reload" else "kept (restart)"
        out.append(f"| `{name}` | {kind} | {shown} | {when} | {text} |")
    return "\n".join(out) + "\n"


def main():
    args = sys.argv[1:]
    binary = str(pathlib.Path(os.environ.get("BUILD", ROOT / "build")) / "cli" / "pgqpp")
    if "--binary" in args:
        binary = args[args.index("--binary") + 1]
    if not os.access(binary, os.X_OK):
        sys.exit(f"ticker-docs: {binary} is not built (run make build, or give --binary PATH)")
    doc = pathlib.Path(args[args.index("--doc") + 1]) if "--doc" in args else DOC
    text = doc.read_text()
    if BEGIN not in text or END not in text:
        sys.exit(f"ticker-docs: {doc}: ticker-keys markers missing")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    fresh = head + BEGIN + "\n" + render(keys(binary)) + END + tail
    if "--check" in args:
        if fresh != text:
            print(f"ticker-docs: {doc}'s key table differs from pgqpp ticker --keys "
                  "(run scripts/ticker-docs.py to update)")
            return 1
        return 0
    if fresh != text:
        doc.write_text(fresh)
        print(f"ticker-docs: updated the key table in {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
