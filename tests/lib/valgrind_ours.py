#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Prints the valgrind records that pgqpp's own code caused; exit 1 if any.

Usage: valgrind_ours.py --source ROOT --stage STAGE LOG...

Each LOG is one process's memcheck text log (--log-file=...%p). A stock
PostgreSQL build (no USE_VALGRIND) makes memcheck report things of its own:
uninitialised padding written to WAL, shared invalidation messages, and the
like; those stacks often pass through pgqpp's hooks further out. So a record
counts as pgqpp's when the innermost frame of its first stack that is neither
a system library nor inlined from a system header is pgqpp code (a source
file under ROOT/extension, the same file compiled in another folder, or
pgqpp.so / pgqpp_bridge_test.so), and not the staged server under STAGE. For a leak that is the code that allocated the
lost block; for a bad read or write, the code that made it.
"""
import argparse
import os.path
import re
import sys

PREFIX = re.compile(r"^==(\d+)== ?(.*)$")
FRAME = re.compile(r"^\s*(at|by) 0x[0-9A-Fa-f]+: ")
LOCATION = re.compile(r"\(([^()]*)\)\s*$")
OUR_OBJECTS = re.compile(r"/pgqpp(_bridge_test)?\.so$")
# A server built from source with debug information (the 17 and 18 of
# scripts/pg-major.sh) names its frames by source file, in PostgreSQL's
# source tree (.../postgresql-18.6/src/backend/...), not by the staged binary.
SERVER_SOURCES = re.compile(r"/postgresql-[0-9][0-9.]*/src/")


def records(text):
    """Yields each record of a log as its list of lines (prefix removed)."""
    current = []
    for raw in text.splitlines():
        m = PREFIX.match(raw)
        if not m:
            continue
        line = m.group(2)
        if line.strip():
            current.append(line)
        elif current:
            yield current
            current = []
    if current:
        yield current


def first_stack(lines):
    """The frames of the record's first stack (later ones describe addresses)."""
    frames, started = [], False
    for line in lines[1:]:
        if FRAME.match(line):
            frames.append(line)
            started = True
        elif started:
            break
    return frames


def frame_owner(frame, source, stage):
    """'ours', 'server' or None (a system library or header: look further)."""
    m = LOCATION.search(frame)
    where = m.group(1) if m else ""
    path = where[3:] if where.startswith("in ") else where.rsplit(":", 1)[0]
    # A ccache build records sources relative to the build folder
    # (build/extension/../../extension/x.cpp): compare the plain path.
    if path.startswith("/"):
        path = os.path.normpath(path)
    if path.startswith(source + "/extension/") or OUR_OBJECTS.search(path):
        return "ours"
    if relocated_source(path, source):
        return "ours"
    if path.startswith(stage + "/") or SERVER_SOURCES.search(path):
        return "server"
    return None


def relocated_source(path, source):
    """True when path is one of ROOT/extension's files compiled elsewhere.

    The Makefile lets ccache share objects between folders
    (CCACHE_NOHASHDIR), so an object can come from the cache of another
    clone of the same code, and its debug information then names that
    clone's folder: a clone built after another one at a different path
    names the first clone's extension/test/bridge_test.cpp. Two clones
    sharing one ccache reproduce stops 31 and 33's CI failure so.
    The path after its last "/extension/" must name a file of
    ROOT/extension.
    """
    at = path.rfind("/extension/")
    if at < 0:
        return False
    tail = path[at + len("/extension/"):]
    return bool(tail) and os.path.isfile(os.path.join(source, "extension", tail))


def is_ours(lines, source, stage):
    for frame in first_stack(lines):
        owner = frame_owner(frame, source, stage)
        if owner:
            return owner == "ours"
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True, help="the source tree the module was built from")
    ap.add_argument("--stage", required=True, help="the staged server installation")
    ap.add_argument("logs", nargs="+")
    args = ap.parse_args()
    source, stage = args.source.rstrip("/"), args.stage.rstrip("/")
    found = 0
    for log in args.logs:
        with open(log, errors="replace") as f:
            text = f.read()
        for rec in records(text):
            if is_ours(rec, source, stage):
                found += 1
                print(f"{log}:")
                print("\n".join("    " + line for line in rec))
    print(f"{found} record(s) from pgqpp code in {len(args.logs)} log(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
