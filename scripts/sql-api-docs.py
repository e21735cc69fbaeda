#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Keeps docs/sql-api.md true to the code.

The part of docs/sql-api.md between the generated-reference markers is made
from the `-- Function:` doc comments in extension/sql/*.sql. With --check the
script only compares and exits 1 when the document is stale (run by make
test); without it, it rewrites that part.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "sql-api.md"
BEGIN = "<!-- generated-reference:begin (scripts/sql-api-docs.py) -->"
END = "<!-- generated-reference:end -->"


def sections():
    """Yields (file title, [(signature, paragraph)]) per SQL file."""
    for path in sorted((ROOT / "extension" / "sql").glob("*.sql")):
        lines = path.read_text().splitlines()
        # The file's first comment line is its title (after the SPDX line).
        lines = [l for l in lines if "SPDX-License-Identifier" not in l]
        title = lines[0].lstrip("- ").strip() if lines and lines[0].startswith("--") else path.name
        entries = []
        i = 0
        while i < len(lines):
            m = re.match(r"--\s*Function:\s*(.+)", lines[i])
            if not m:
                i += 1
                continue
            sig = m.group(1).strip()
            body = []
            i += 1
            while i < len(lines) and lines[i].startswith("--"):
                body.append(lines[i][2:].strip())
                i += 1
            entries.append((sig, " ".join(t for t in body if t)))
        if entries:
            yield path.name, title, entries


def render():
    out = []
    for name, title, entries in sections():
        out.append(f"### {title}\n")
        out.append(f"Source: `extension/sql/{name}`\n")
        for sig, text in entries:
            out.append(f"- **`{sig}`**: {text}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def undocumented():
    """Functions created in extension/sql/ without a `-- Function:` comment."""
    missing = []
    for path in sorted((ROOT / "extension" / "sql").glob("*.sql")):
        text = path.read_text()
        documented = set(re.findall(r"--\s*Function:\s*pgq\.(\w+)\(", text))
        for name in re.findall(r"create function pgq\.(\w+)\(", text, re.IGNORECASE):
            if name not in documented:
                missing.append(f"{path.name}: pgq.{name}")
    return missing


def main():
    missing = undocumented()
    if missing:
        sys.exit("functions without a doc comment:\n  " + "\n  ".join(missing))
    doc = DOC.read_text()
    if BEGIN not in doc or END not in doc:
        sys.exit(f"{DOC}: generated-reference markers missing")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    fresh = head + BEGIN + "\n" + render() + END + tail
    if "--check" in sys.argv:
        if fresh != doc:
            sys.exit("docs/sql-api.md is stale: run scripts/sql-api-docs.py")
        return
    DOC.write_text(fresh)


if __name__ == "__main__":
    main()
