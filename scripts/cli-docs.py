#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Keeps the help blocks of docs/cli.md true to `pgqpp NAME --help`.

docs/cli.md holds one block per subcommand:

    <!-- help: NAME -->
    ```text
    (the output of pgqpp NAME --help)
    ```
    <!-- end help -->

Without --check this script fills every block whose subcommand the binary
has. With --check it changes nothing and exits 1 naming the subcommands
whose block differs from their --help, and the subcommands the binary lists
that have no block. Blocks for subcommands the binary does not have (yet)
are left alone either way, so another branch can fill them.

With --list it prints the subcommands, one a line, in `pgqpp --help`'s
order: the one reading of the binary's list (main.cpp's table of commands)
that the man page (scripts/man-page.sh) and the tests use.

Usage: cli-docs.py [--check | --list] [--binary PATH] [--doc PATH]
  (defaults: $BUILD/cli/pgqpp with BUILD defaulting to build/, and docs/cli.md)
"""
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "cli.md"
BLOCK = re.compile(r"(<!-- help: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end help -->)", re.S)


def run_help(binary, *args):
    """The --help text, with a fixed environment (no colour, C locale)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "NO_COLOR": "1", "COLUMNS": "80"}
    out = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"cli-docs: {binary} {' '.join(args)} --help failed (exit {out.returncode}): {out.stderr.strip()}")
    return out.stdout


def subcommands(binary):
    """The subcommand names `pgqpp --help` lists under "Subcommands:"."""
    names, listing = [], False
    for line in run_help(binary).splitlines():
        if line.strip() == "Subcommands:":
            listing = True
        elif listing and line.startswith("  ") and line.strip():
            names.append(line.split()[0])
        elif listing and line.strip():
            listing = False
    if not names:
        sys.exit(f"cli-docs: {binary} --help lists no subcommands")
    return names


def block_body(help_text):
    return "```text\n" + help_text.rstrip("\n") + "\n```\n"


def main():
    args = sys.argv[1:]
    check = "--check" in args
    binary = str(pathlib.Path(os.environ.get("BUILD", ROOT / "build")) / "cli" / "pgqpp")
    if "--binary" in args:
        binary = args[args.index("--binary") + 1]
    if not os.access(binary, os.X_OK):
        sys.exit(f"cli-docs: {binary} is not built (run make build, or give --binary PATH)")
    names = subcommands(binary)
    if "--list" in args:
        print("\n".join(names))
        return 0
    doc = pathlib.Path(args[args.index("--doc") + 1]) if "--doc" in args else DOC
    text = doc.read_text()
    documented = [m.group("name") for m in BLOCK.finditer(text)]
    missing = [n for n in names if n not in documented]
    stale = []

    def fill(match):
        name = match.group("name")
        if name not in names:
            return match.group(0)  # not in this binary (yet): left alone
        body = block_body(run_help(binary, name))
        if match.group("body") != body:
            stale.append(name)
        return match.group(1) + body + match.group(4)

    new_text = BLOCK.sub(fill, text)
    if check:
        problems = []
        if stale:
            problems.append("help blocks differ from pgqpp NAME --help for: " + ", ".join(stale))
        if missing:
            problems.append("subcommands without a help block in docs/cli.md: " + ", ".join(missing))
        for p in problems:
            print(f"cli-docs: {p} (run scripts/cli-docs.py to update)")
        return 1 if problems else 0
    if new_text != text:
        doc.write_text(new_text)
        print(f"cli-docs: updated {', '.join(stale)} in {doc}")
    if missing:
        print("cli-docs: subcommands without a help block (add <!-- help: NAME --> ... <!-- end help -->): "
              + ", ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
