#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Every source file of pgqpp names its license (LICENSE) in an SPDX line.

  scripts/spdx.py --check   lists the tracked files without one (exit 1 if any)
  scripts/spdx.py --fix     adds the line where it is missing

A file's comment syntax follows its kind (the table below). The line goes
first, or second after a `#!` line. A pg_regress input echoes its comments,
so adding the line to extension/test/sql/X.sql adds it to expected/X.out too.
"""
import pathlib
import subprocess
import sys

TAG = "SPDX-License-Identifier: PostgreSQL"
COMMENT = {  # file suffix or name -> the line
    ".cpp": f"// {TAG}", ".hpp": f"// {TAG}",
    ".sh": f"# {TAG}", ".py": f"# {TAG}", ".cmake": f"# {TAG}", ".spec": f"# {TAG}",
    ".in": f"# {TAG}", "CMakeLists.txt": f"# {TAG}", "Makefile": f"# {TAG}", "run": f"# {TAG}",
    ".sql": f"-- {TAG}", ".map": f"/* {TAG} */",
    ".js": f"// {TAG}", ".css": f"/* {TAG} */", ".html": f"<!-- {TAG} -->",
}
REGRESS_SQL = "extension/test/sql/"
# Files whose format has no room for it: Debian's control template (its
# license is in debian/copyright).
EXEMPT = {"debian/control.in"}


def comment_for(path):
    name = path.name
    if name in COMMENT:
        return COMMENT[name]
    return COMMENT.get(path.suffix)


def has_tag(text):
    return TAG in "\n".join(text.splitlines()[:3])


def add_tag(text, line):
    lines = text.splitlines(keepends=True)
    at = 1 if lines and lines[0].startswith("#!") else 0
    lines.insert(at, line + "\n")
    return "".join(lines)


def main():
    fix = "--fix" in sys.argv[1:]
    root = pathlib.Path(subprocess.check_output(["git", "rev-parse", "--show-toplevel"], text=True).strip())
    files = subprocess.check_output(["git", "ls-files"], cwd=root, text=True).split()
    missing = []
    for rel in files:
        path = root / rel
        line = comment_for(path)
        if line is None or rel in EXEMPT or not path.is_file():
            continue
        text = path.read_text()
        if has_tag(text):
            continue
        missing.append(rel)
        if fix:
            path.write_text(add_tag(text, line))
            if rel.startswith(REGRESS_SQL):
                out = root / "extension/test/expected" / (path.stem + ".out")
                if out.exists():
                    out.write_text(add_tag(out.read_text(), line))
    if missing and not fix:
        print("files without an SPDX line (scripts/spdx.py --fix adds it):")
        print("\n".join("  " + m for m in missing))
        return 1
    if fix:
        print(f"added the SPDX line to {len(missing)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
