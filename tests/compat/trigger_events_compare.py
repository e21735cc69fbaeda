#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Compares the events PgQ 3.5's triggers and pgqpp's made for the same
changes (tests/compat/trigger_scenario.sql), field by field, and reads them
the way PgQ's Python consumers do.

    trigger_events_compare.py PGQ_DSN PGQPP_DSN

Checks, for every event (in ev_id order, same count on both sides):
  * ev_type, ev_data, ev_extra1..4 are equal;
  * logutriga payloads (ev_type "I:..", "U:..", "D:..", and every backup in
    ev_extra2 but jsontriga's) decode with skytools.db_urldecode, and
    sqltriga payloads parse with skytools.parse_logtriga_sql, into the same
    values on both sides; jsontriga payloads parse as JSON.
And that skytools.db_urldecode turns pgqpp's logutriga INSERT events of
table diff_values back into the values the rows held (diff_expected).
Prints a summary; exits 1 with the first differences when there are any.
"""
import json
import sys

import psycopg2
import skytools

FIELDS = ("ev_type", "ev_data", "ev_extra1", "ev_extra2", "ev_extra3", "ev_extra4")


def events(dsn):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select ev_id, " + ", ".join(FIELDS) + " from pgq.event_template order by ev_id")
        return [dict(zip(("ev_id",) + FIELDS, row)) for row in cur.fetchall()]


def kind(ev):
    """The trigger that made the event, from its ev_type."""
    t = ev["ev_type"] or ""
    if t.startswith("{"):
        return "json"
    if t[:2] in ("I:", "U:", "D:"):
        return "urlenc"
    if t in ("I", "U", "D"):
        return "sql"
    return "other"


def read(ev):
    """What a PgQ consumer makes of the event's payloads."""
    k = kind(ev)
    out = {"kind": k}
    if k == "urlenc":
        out["data"] = skytools.db_urldecode(ev["ev_data"] or "")
        out["type"] = ev["ev_type"].split(":", 1)
    elif k == "sql":
        out["data"] = skytools.parse_logtriga_sql(ev["ev_type"], ev["ev_data"])
    elif k == "json":
        out["type"] = json.loads(ev["ev_type"])
        out["data"] = json.loads(ev["ev_data"]) if ev["ev_data"] and ev["ev_data"].startswith("{") else ev["ev_data"]
    if ev["ev_extra2"] and k in ("urlenc", "sql") and "=" in ev["ev_extra2"]:
        out["backup"] = skytools.db_urldecode(ev["ev_extra2"])
    return out


def check_decoded_values(dsn, evs):
    """The logutriga INSERT events of diff_values decode to the inserted
    rows' text forms (diff_expected). Returns problems and the rows checked."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select id, value_text from diff_expected")
        expected = {str(i): v for i, v in cur.fetchall()}
    problems, checked = [], 0
    for ev in evs:
        if ev["ev_extra1"] != "public.diff_values" or ev["ev_type"] != "I:id":
            continue
        got = skytools.db_urldecode(ev["ev_data"])
        want = expected.get(got.get("id"))
        if got != want:
            problems.append(f"event {ev['ev_id']} decodes to\n  {got!r:.400}\nthe row holds\n  {want!r:.400}")
        checked += 1
    if checked == 0:
        problems.append("no logutriga INSERT events of diff_values to decode")
    return problems, checked


def read_or_error(ev):
    """read(ev), or the error a consumer gets (an ev_data= override may
    replace sqltriga's SQL by anything: then both sides fail alike)."""
    try:
        return read(ev)
    except Exception as e:
        return {"kind": "unreadable " + kind(ev), "error": f"{type(e).__name__}: {e}"}


def main():
    pgq, pgqpp = events(sys.argv[1]), events(sys.argv[2])
    problems = []
    if len(pgq) != len(pgqpp):
        problems.append(f"PgQ made {len(pgq)} events, pgqpp {len(pgqpp)}")
    counts = {}
    for a, b in zip(pgq, pgqpp):
        for f in FIELDS:
            if a[f] != b[f]:
                problems.append(f"event {a['ev_id']}/{b['ev_id']} {f}:\n  PgQ   {a[f]!r:.400}\n  pgqpp {b[f]!r:.400}")
        ra, rb = read_or_error(a), read_or_error(b)
        if ra != rb:
            problems.append(f"event {b['ev_id']}: read differently:\n  PgQ   {ra!r:.400}\n  pgqpp {rb!r:.400}")
        counts[rb["kind"]] = counts.get(rb["kind"], 0) + 1
    decoded, checked = check_decoded_values(sys.argv[2], pgqpp)
    problems += decoded
    if problems:
        print(f"{len(problems)} difference(s); the first ones:")
        print("\n".join(problems[:20]))
        sys.exit(1)
    print(f"{len(pgqpp)} events identical field by field; read alike: "
          + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    print(f"{checked} logutriga rows decode (skytools.db_urldecode) to the values the table held")


if __name__ == "__main__":
    main()
