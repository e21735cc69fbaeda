#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Builds pgqpp's SQL-only edition: one plain .sql file for `psql -f`.

The edition is the extension's own extension/sql/NN_*.sql parts, in the same
order, with every LANGUAGE C function replaced by the function of the same
signature in extension/sql-only/NN_*.sql (the file named like the part).
It fails, naming what to fix, when a C function has no replacement, when a
replacement's header (name, arguments, result, SECURITY DEFINER, STRICT,
SET clauses) differs from the C function's, or when sql-only/ defines a
function that replaces nothing and is not a helper (named pgq*._so_*).
So the two editions cannot drift: a change to a C function's signature
breaks the build until its SQL-only twin follows.

What changes besides: no CREATE EXTENSION (the file runs in one
transaction), no pg_extension_config_dump (an extension-only call), and
sql-only/00_preamble.sql runs first, sql-only/99_edition.sql last.

usage: sqlonly.py --version V --sql-dir DIR --sqlonly-dir DIR --out FILE
"""
import argparse
import os
import re
import sys

C_FUNCTION = re.compile(r"create function [^;$]*?language c\b[^;]*;", re.I | re.S)
ANY_FUNCTION = re.compile(r"create function\s+([\w.]+)\s*\(", re.I)
CONFIG_DUMP = re.compile(r"select pg_catalog\.pg_extension_config_dump\([^;]*\);\n?", re.I)
DOLLAR_BODY = re.compile(r"\bas\s+(\$\w*\$).*?\1", re.I | re.S)


def normalize(header):
    """A function statement without its body and language, one spaced line."""
    header = re.sub(r"\bas\s+'MODULE_PATHNAME'\s*,\s*'\w+'", " ", header, flags=re.I)
    header = DOLLAR_BODY.sub(" ", header)
    header = re.sub(r"\blanguage\s+\w+", " ", header, flags=re.I)
    header = re.sub(r"--[^\n]*", " ", header)
    header = re.sub(r"\s+", " ", header).strip().rstrip(";").strip().lower()
    header = re.sub(r"\s*([(),=])\s*", r"\1", header)
    return header


def function_name(stmt):
    m = ANY_FUNCTION.search(stmt)
    return m.group(1).lower() if m else None


def split_functions(text):
    """The `create function` statements of a sql-only file, in order, each
    from its keyword to the `;` after its body (the helpers' comments stay
    with the statement before: they are comments)."""
    stmts = []
    pos = 0
    for m in ANY_FUNCTION.finditer(text):
        if m.start() < pos:
            continue
        body = DOLLAR_BODY.search(text, m.start())
        if not body:
            sys.exit(f"sqlonly: no $$ body after {m.group(1)}")
        end = text.index(";", body.end()) + 1
        stmts.append((m.start(), end, text[m.start():end]))
        pos = end
    return stmts


def replace_part(name, text, replacement_text, errors):
    """The part with its C functions replaced; the replacement file's other
    statements (helpers, triggers of their own) go before the first C
    function, so that the part's later statements find them."""
    c_funcs = list(C_FUNCTION.finditer(text))
    if not c_funcs:
        if replacement_text is not None:
            errors.append(f"sql-only/{name}: part {name} has no LANGUAGE C function to replace")
        return text
    if replacement_text is None:
        for m in c_funcs:
            errors.append(f"{name}: {function_name(m.group(0))} is LANGUAGE C and sql-only/{name} "
                          "does not exist: write its SQL-only replacement there")
        return text
    wanted = {normalize(m.group(0)): m for m in c_funcs}
    found = {}
    helpers = []
    last = 0
    for start, end, stmt in split_functions(replacement_text):
        key = normalize(stmt)
        fname = function_name(stmt)
        if key in wanted:
            found[key] = stmt
            helpers.append(replacement_text[last:start])
            last = end
        elif "._so_" not in fname:
            errors.append(f"sql-only/{name}: {fname} matches no LANGUAGE C function of {name} "
                          f"(header '{key}')")
    # Everything else (helpers named pgq*._so_*, comments, other
    # statements) goes before the first C function's place.
    helpers.append(replacement_text[last:])
    for key, m in wanted.items():
        if key not in found:
            errors.append(f"{name}: no SQL-only replacement in sql-only/{name} with the header of "
                          f"{function_name(m.group(0))}: '{key}'")
    out = []
    pos = 0
    for i, m in enumerate(c_funcs):
        out.append(text[pos:m.start()])
        if i == 0:
            out.append("".join(helpers).strip("\n") + "\n\n")
        out.append(found.get(normalize(m.group(0)), ""))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def write_script(prog, result, errors, out):
    """Writes `result` to `out` (whole or not at all), or exits naming each
    of `errors` and a C function the result still refers to."""
    if "MODULE_PATHNAME" in result:
        errors.append("the result still names MODULE_PATHNAME")
    if errors:
        for e in errors:
            print(f"{prog}: {e}", file=sys.stderr)
        sys.exit(1)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(result)
    os.replace(tmp, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--version", required=True)
    ap.add_argument("--sql-dir", required=True)
    ap.add_argument("--sqlonly-dir", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    parts = sorted(f for f in os.listdir(args.sql_dir) if re.match(r"\d\d_.*\.sql$", f))
    extra = sorted(f for f in os.listdir(args.sqlonly_dir) if f.endswith(".sql"))
    errors = []
    for f in extra:
        if f not in parts and f not in ("00_preamble.sql", "99_edition.sql"):
            errors.append(f"sql-only/{f}: there is no extension/sql/{f} for it to replace functions in")

    chunks = [
        f"-- pgqpp {args.version}, SQL-only edition: generated by extension/cmake/sqlonly.py from\n"
        "-- extension/sql/ and extension/sql-only/ (do not edit). Install it with\n"
        "--   psql -v ON_ERROR_STOP=1 -f THIS_FILE DATABASE\n"
        "-- as the database's owner; no superuser is needed (docs/managed.md).\n",
        "begin;\n",
        "\n-- ==== sql-only/00_preamble.sql ====\n"
        + read(os.path.join(args.sqlonly_dir, "00_preamble.sql")),
    ]
    for part in parts:
        text = read(os.path.join(args.sql_dir, part))
        rpath = os.path.join(args.sqlonly_dir, part)
        replacement = read(rpath) if os.path.exists(rpath) else None
        text = replace_part(part, text, replacement, errors)
        text = CONFIG_DUMP.sub("", text)
        text = re.sub(r"^set client_min_messages", "set local client_min_messages", text, flags=re.M)
        label = f"{part} + sql-only/{part}" if replacement is not None else part
        chunks.append(f"\n-- ==== {label} ====\n{text}")
    edition = read(os.path.join(args.sqlonly_dir, "99_edition.sql")).replace("@VERSION@", args.version)
    chunks.append("\n-- ==== sql-only/99_edition.sql ====\n" + edition)
    chunks.append("\ncommit;\n")
    write_script("sqlonly", "".join(chunks), errors, args.out)


if __name__ == "__main__":
    main()
