#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""The table at the end of `make bench`.

    bench/table.py RESULTS_DIR [--load FILE] [--out FILE.md]

Reads the rows every part wrote to RESULTS_DIR/*.tsv
(part<TAB>metric<TAB>system<TAB>value<TAB>unit; system is pgqpp, pgq for
PgQ 3.5 + pgqd, or raw for plain PostgreSQL) and the run's facts in
RESULTS_DIR/info.tsv (key<TAB>value, written by bench/all.sh), and prints one
Markdown table per group: pgqpp, PgQ 3.5 and raw PostgreSQL side by side with
the ratios pgqpp / raw and pgqpp / PgQ. With --load, the load run's rows
(load<TAB>metric<TAB>value<TAB>unit) follow when that file exists. --out also
writes the Markdown to a file. Metrics it does not know are listed after the
known ones under their own names, so a new row never goes missing.
"""

import argparse
import os
import sys
import time

SYSTEMS = ("pgqpp", "pgq", "raw")

# The parts of the table, one entry each: a name, why a system has no
# figures in it ({system: reason}, for all its rows), and its rows in table
# order as (metric, group, label, better[, {system: reason} of that row]).
# group is "main" or "detail"; better is "higher" or "lower". Each group's
# table lists its rows part by part, in this order.
NO_TICKER = {"raw": "no ticker"}
NO_QUEUE = {"raw": "no queue"}
PARTS = [
    ("core (bench/run.sh)", {}, [
        ("insert_single", "main", "insert, 1 event per transaction (pgbench, 4 clients)", "higher"),
        ("insert_bulk", "main", "insert, 100k events in 1 transaction: insert_events of a text[] "
                                "(PgQ 3.5: insert_event per element; raw: INSERT ... SELECT unnest)", "higher"),
        ("insert_single_cpu", "detail", "insert, 1 event/tx: backend CPU per event", "lower"),
        ("insert_bulk_cpu", "detail", "insert, 100k in 1 tx (bulk row): backend CPU per event", "lower"),
        ("insert_loop", "detail", "insert, 100k in 1 tx: insert_event per row (raw: INSERT ... SELECT)", "higher"),
        ("insert_loop_cpu", "detail", "the same: backend CPU per event", "lower"),
        ("read_batch_sql", "detail", "read a 100k-event batch in SQL: get_batch_events (raw: SELECT)", "higher"),
        ("read_batch_sql_cpu", "detail", "the same: backend CPU per event", "lower"),
    ]),
    ("consume", {}, [
        ("consume_lib", "main", "consume one 1M-event batch, libpgqpp Consumer "
                                "(raw: libpq COPY of a plain SELECT)", "higher"),
        ("consume_python", "detail", "consume one 1M-event batch, python3-pgq Consumer "
                                     "(raw: libpq COPY of a plain SELECT)", "higher"),
        ("consume_lib_client_cpu", "detail", "consume 1M, libpgqpp Consumer: client CPU "
                                             "(raw: libpq COPY)", "lower"),
    ]),
    ("latency (bench/ticker.sh)", {}, [
        ("latency_lib_p50", "main", "latency p50 at 100 ev/s, 1,000 queues, libpgqpp Consumer "
                                    "(PgQ 3.5: it polls every 1 s; raw: LISTEN/NOTIFY)", "lower"),
        ("latency_lib_p99", "main", "latency p99, the same", "lower"),
        ("latency_poll_p50", "main", "latency p50, SQL consumer calling next_batch every 1 ms "
                                     "(raw: LISTEN/NOTIFY)", "lower"),
        ("latency_poll_p99", "main", "latency p99, the same", "lower"),
        ("latency_listen_p50", "detail", "latency p50, hand-written SQL consumer woken by the tick NOTIFY "
                                         "(raw: LISTEN/NOTIFY)", "lower", {"pgq": "PgQ 3.5 sends no tick NOTIFY"}),
        ("latency_listen_p99", "detail", "latency p99, the same", "lower", {"pgq": "PgQ 3.5 sends no tick NOTIFY"}),
        ("latency_pooler_p50", "detail", "latency p50 at 50 ev/s through PgBouncer (transaction pooling), "
                                         "libpgqpp Consumer behind_pooler: pgq.next_batch_wait "
                                         "(raw: LISTEN/NOTIFY without a pooler)", "lower",
         {"pgq": "PgQ 3.5 has no next_batch_wait"}),
        ("latency_pooler_p99", "detail", "latency p99, the same", "lower", {"pgq": "PgQ 3.5 has no next_batch_wait"}),
    ]),
    ("triggers", {}, [
        ("update_logutriga", "main", "trigger: bulk UPDATE of 100k rows under logutriga (raw: no trigger)", "higher"),
        ("update_logutriga_floor", "detail", "trigger: logutriga (raw: no trigger, the UPDATE plus a plain "
                                             "INSERT of the same events)", "higher"),
        ("update_logutriga_cpu", "detail", "trigger: logutriga, backend CPU per row", "lower"),
        ("update_sqltriga", "detail", "trigger: sqltriga (raw: no trigger)", "higher"),
        ("update_sqltriga_cpu", "detail", "trigger: sqltriga, backend CPU per row", "lower"),
        ("update_jsontriga", "detail", "trigger: jsontriga (raw: no trigger)", "higher"),
        ("update_jsontriga_cpu", "detail", "trigger: jsontriga, backend CPU per row", "lower"),
    ]),
    ("ticker CPU (bench/ticker.sh)", NO_TICKER, [
        ("ticker_cpu_load", "main", "ticker CPU at 100 ev/s, 1,000 queues (daemon + its backends)", "lower"),
        ("ticker_cpu_idle", "main", "ticker CPU idle, 1,000 queues", "lower"),
    ]),
    ("inserts while ticking (bench/ticker.sh)", NO_TICKER, [
        ("insert_ticking_ratio", "main", "insert, 1 event/tx, 4 clients: with the ticker running ÷ paused "
                                         "(median of alternating slices of one run; target ≥ 0.97)", "higher"),
        ("insert_single_ticking", "detail", "insert, 1 event/tx, 4 clients, slices with the ticker running", "higher"),
        ("insert_single_alone", "detail", "the same, slices with the ticker paused", "higher"),
        ("ticker_cpu_saturated", "detail", "ticker CPU while those inserts run (daemon + its backends)", "lower"),
    ]),
    ("SQL-only edition (bench/sqlonly.sh)", {"pgq": "PgQ 3.5 has no SQL-only edition"}, [
        ("sqlonly_latency_lib_p50", "main", "SQL-only edition: latency p50 at 100 ev/s, 1,000 queues, "
                                            "libpgqpp Consumer (pgqpp ticker; no library on the server)", "lower",
         NO_QUEUE),
        ("sqlonly_latency_lib_p99", "main", "SQL-only edition: latency p99, the same", "lower", NO_QUEUE),
        ("sqlonly_latency_poll_p50", "detail", "SQL-only edition: latency p50, SQL consumer calling next_batch "
                                               "every 1 ms", "lower", NO_QUEUE),
        ("sqlonly_latency_poll_p99", "detail", "SQL-only edition: latency p99, the same", "lower", NO_QUEUE),
        ("sqlonly_ticker_cpu_load", "main", "SQL-only edition: ticker CPU at 100 ev/s, 1,000 queues "
                                            "(daemon + its backends)", "lower", NO_TICKER),
        ("sqlonly_ticker_cpu_idle", "main", "SQL-only edition: ticker CPU idle, 1,000 queues", "lower", NO_TICKER),
        ("sqlonly_insert_single", "main", "SQL-only edition: insert, 1 event per transaction, pgq.insert_event "
                                          "(pgbench, 4 clients; raw: a plain INSERT of the same row)", "higher"),
    ]),
    ("delayed", {"pgq": "PgQ 3.5 has no delayed events", **NO_QUEUE}, [
        ("delayed_lateness_p50", "main", "delayed events: lateness p50 after deliver_at at 1,000 ev/s, "
                                         "libpgqpp Consumer (target p99 ≤ 10 ms)", "lower"),
        ("delayed_lateness_p99", "main", "delayed events: lateness p99, the same", "lower"),
        ("delayed_dead_tuples_made", "main", "delayed events: dead tuples made per 100,000 (delivered-up-to mark, "
                                             "rotation by TRUNCATE; target 0)", "lower"),
        ("delayed_rows_deleted", "detail", "delayed events: rows deleted by delivery per 100,000", "lower"),
        ("delayed_dead_tuples_left", "detail", "delayed events: dead tuples left after a VACUUM", "lower"),
    ]),
    ("bounded", {"pgq": "PgQ 3.5 has no bounded batches", **NO_QUEUE}, [
        ("bounded_rows_next_batch", "main", "bounded batches: rows read per next_batch after the first, "
                                            "100k events in one tick interval, max_batch_events 1,000", "lower"),
        ("bounded_rows_batch_read", "main", "bounded batches: rows read per batch's get_batch_events, the same",
         "lower"),
        ("bounded_rows_first_next_batch", "detail", "bounded batches: rows read by the interval's first next_batch "
                                                    "(one pass over its ids)", "lower"),
        ("bounded_read_rate", "detail", "bounded batches: batch-read rate in SQL, 100 batches of 1,000 "
                                        "(next_batch, get_batch_events, finish_batch)", "higher"),
        ("unbounded_read_rate", "detail", "the same interval as one batch of 100k (PgQ's batch)", "higher"),
        ("bounded_read_ratio", "detail", "bounded ÷ unbounded batch-read rate", "higher"),
    ]),
    ("held_xmin", NO_QUEUE, [
        ("held_xmin_ratio", "main", "held xmin: 20 consumers, snapshot held 120 s, 1,000 ev/s, 20 ticks/s: "
                                    "batches/s of the last 10 s ÷ the first (target ≥ 0.8)", "higher"),
        ("held_xmin_growth", "main", "held xmin: growth of pgq.subscription + pgq.tick with indexes "
                                     "(target < 1,024 kB)", "lower"),
        ("held_xmin_batches_first", "detail", "held xmin: batches/s, first 10 s", "higher"),
        ("held_xmin_batches_last", "detail", "held xmin: batches/s, last 10 s", "higher"),
        ("held_xmin_next_batch_first", "detail", "held xmin: mean next_batch time, first 10 s", "lower"),
        ("held_xmin_next_batch_last", "detail", "held xmin: mean next_batch time, last 10 s", "lower"),
        ("held_xmin_growth_subscription", "detail", "held xmin: growth of pgq.subscription", "lower"),
        ("held_xmin_growth_tick", "detail", "held xmin: growth of pgq.tick", "lower"),
        ("held_xmin_dead_tuples", "detail", "held xmin: n_dead_tup of pgq.subscription + pgq.tick at the end",
         "lower"),
    ]),
    ("scale (bench/scale.sh)", {"pgq": "not measured", **NO_QUEUE}, [
        ("scale_keyed_8_efficiency", "main", "keyed parallelism: 8 workers in one process, handler 1 ms per "
                                             "event: speed-up over 1 worker ÷ 8 (target ≥ 0.9)", "higher"),
        ("scale_coop_8_efficiency", "main", "cooperative consumers: 8 subconsumer processes, handler 1 ms per "
                                            "event: speed-up over 1 ÷ 8 (target ≥ 0.9)", "higher"),
        ("fanout_100_cpu", "main", "fan-out: 100 consumers each reading the same events: server CPU per "
                                   "delivered event", "lower"),
        ("fanout_storage_per_event", "main", "fan-out: event tables per event with 111 consumers registered "
                                             "(one stored copy)", "lower"),
        ("scale_keyed_1", "detail", "keyed parallelism: 1 worker, handler 1 ms per event", "higher"),
        ("scale_keyed_2", "detail", "keyed parallelism: 2 workers, handler 1 ms per event", "higher"),
        ("scale_keyed_2_efficiency", "detail", "the same: speed-up over 1 worker ÷ 2", "higher"),
        ("scale_keyed_4", "detail", "keyed parallelism: 4 workers, handler 1 ms per event", "higher"),
        ("scale_keyed_4_efficiency", "detail", "the same: speed-up over 1 worker ÷ 4", "higher"),
        ("scale_keyed_8", "detail", "keyed parallelism: 8 workers, handler 1 ms per event", "higher"),
        ("scale_coop_1", "detail", "cooperative consumers: 1 subconsumer process, handler 1 ms per "
                                   "event", "higher"),
        ("scale_coop_2", "detail", "cooperative consumers: 2 subconsumer processes, handler 1 ms per "
                                   "event", "higher"),
        ("scale_coop_2_efficiency", "detail", "the same: speed-up over 1 ÷ 2", "higher"),
        ("scale_coop_4", "detail", "cooperative consumers: 4 subconsumer processes, handler 1 ms per "
                                   "event", "higher"),
        ("scale_coop_4_efficiency", "detail", "the same: speed-up over 1 ÷ 4", "higher"),
        ("scale_coop_8", "detail", "cooperative consumers: 8 subconsumer processes, handler 1 ms per "
                                   "event", "higher"),
        ("fanout_1_rate", "detail", "fan-out: 1 consumer at once, deliveries per second (libpgqpp "
                                    "Consumer)", "higher"),
        ("fanout_1_cpu", "detail", "fan-out: 1 consumer: server CPU per delivered event", "lower"),
        ("fanout_10_rate", "detail", "fan-out: 10 consumers at once, deliveries per second (libpgqpp "
                                     "Consumer)", "higher"),
        ("fanout_10_cpu", "detail", "fan-out: 10 consumers: server CPU per delivered event", "lower"),
        ("fanout_100_rate", "detail", "fan-out: 100 consumers at once, deliveries per second (libpgqpp "
                                      "Consumer)", "higher"),
    ]),
]

# metric: (group, label, better), in table order, and why a system has no
# figure for a metric: both from PARTS.
METRICS = {row[0]: row[1:4] for _, _, rows in PARTS for row in rows}
NOT_APPLICABLE = {(row[0], system): reason
                  for _, missing, rows in PARTS for row in rows
                  for system, reason in {**missing, **(row[4] if len(row) > 4 else {})}.items()}

GROUPS = {
    "main": "Results",
    "detail": "Details",
    "other": "Other rows",
}


def read_rows(results_dir):
    """{metric: {system: (value, unit)}} from every .tsv of the folder, and
    the parts they came from, in file order."""
    rows, parts = {}, {}
    for name in sorted(os.listdir(results_dir)):
        if not name.endswith(".tsv") or name == "info.tsv":
            continue
        with open(os.path.join(results_dir, name), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                fields = line.rstrip("\n").split("\t")
                if len(fields) != 5:
                    sys.exit(f"table.py: {name} line {n}: expected 5 tab-separated fields, got {len(fields)}")
                part, metric, system, value, unit = fields
                if system not in SYSTEMS:
                    sys.exit(f"table.py: {name} line {n}: unknown system {system!r} (pgqpp, pgq or raw)")
                rows.setdefault(metric, {})[system] = (number(value), unit)
                parts.setdefault(metric, part)
    return rows, parts


def number(text):
    """The value as a float, or None when the part could not measure it."""
    try:
        return float(text)
    except ValueError:
        return None


def read_info(results_dir):
    info = {}
    path = os.path.join(results_dir, "info.tsv")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, _, value = line.rstrip("\n").partition("\t")
                info[key] = value
    return info


def fmt(value):
    """Figures as people read them: 12,345 or 12.3 or 0.123."""
    if value is None:
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value else "0"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    r = a / b
    # Two significant digits for small ratios (latency against pgqd's seconds).
    return f"{r:.2f}" if abs(r) >= 0.1 else f"{r:.2g}"


def cell(metric, system, figures):
    value = figures.get(system, (None, ""))[0]
    if value is None:
        reason = NOT_APPLICABLE.get((metric, system))
        return f"n/a ({reason})" if reason else "n/a"
    return fmt(value)


def metric_table(metrics, rows):
    out = ["| measure | unit | better | pgqpp | PgQ 3.5 + pgqd | raw PostgreSQL | pgqpp ÷ raw | pgqpp ÷ PgQ |",
           "|---|---|---|---:|---:|---:|---:|---:|"]
    for metric in metrics:
        figures = rows[metric]
        label, better = METRICS.get(metric, ("", metric, "?"))[1:]
        unit = next((u for _, u in figures.values() if u), "")
        v = {s: figures.get(s, (None, ""))[0] for s in SYSTEMS}
        out.append(f"| {label} | {unit} | {better} | {cell(metric, 'pgqpp', figures)} | "
                   f"{cell(metric, 'pgq', figures)} | {cell(metric, 'raw', figures)} | "
                   f"{ratio(v['pgqpp'], v['raw'])} | {ratio(v['pgqpp'], v['pgq'])} |")
    return out


def load_table(path, started_epoch):
    """The load run's rows, or [] when its file does not exist."""
    if not path or not os.path.exists(path):
        return []
    out = [f"## Load run ({os.path.basename(path)})", ""]
    mtime = os.path.getmtime(path)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(mtime))
    if started_epoch and mtime < started_epoch:
        out += [f"**From an earlier run** (written {when}, before this run started).", ""]
    else:
        out += [f"Written {when}.", ""]
    out += ["| metric | value | unit |", "|---|---:|---|"]
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if not line.strip():
                continue
            if len(fields) != 4 or fields[0] != "load":
                sys.exit(f"table.py: {path} line {n}: expected load<TAB>metric<TAB>value<TAB>unit")
            _, metric, value, unit = fields
            v = number(value)
            out.append(f"| {metric} | {fmt(v) if v is not None else value} | {unit} |")
    return out + [""]


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kb = int(f.readline().split()[1])
    return f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB memory"


def render(results_dir, load_path):
    rows, parts = read_rows(results_dir)
    info = read_info(results_dir)
    started_epoch = float(info["started_epoch"]) if "started_epoch" in info else None
    out = ["# pgqpp benchmark", ""]
    if info:
        out.append(f"Run {info.get('started', '?')} to {info.get('finished', '?')}, commit {info.get('commit', '?')}, "
                   f"one throwaway cluster: {info.get('postgres', '?')}, {info.get('settings', '')}.")
        out.append(f"Machine: {machine()}; load average {info.get('load_before', '?')} before, "
                   f"{info.get('load_after', '?')} after.")
        seconds = [f"{k[len('seconds_'):]} {v} s" for k, v in info.items() if k.startswith("seconds_")]
        if seconds:
            out.append("Part run times: " + ", ".join(seconds) + ".")
        out.append("")
    out += ["Ratios are pgqpp's figure divided by the other's: above 1 is better where higher is better, "
            "below 1 where lower is. Medians of alternating runs; each part's report in "
            "the results folder has the samples and the method.", ""]
    known = [m for m in METRICS if m in rows]
    unknown = [m for m in rows if m not in METRICS]
    for group in ("main", "detail"):
        metrics = [m for m in known if METRICS[m][0] == group]
        if metrics:
            out += [f"## {GROUPS[group]}", ""] + metric_table(metrics, rows) + [""]
    if unknown:
        out += [f"## {GROUPS['other']}", ""] + metric_table(unknown, rows) + [""]
    if not rows:
        out += ["No rows: no part ran to its end.", ""]
    out += load_table(load_path, started_epoch)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results_dir")
    ap.add_argument("--load", help="the load run's rows (load<TAB>metric<TAB>value<TAB>unit), if the file exists")
    ap.add_argument("--out", help="also write the Markdown here")
    args = ap.parse_args()
    if not os.path.isdir(args.results_dir):
        sys.exit(f"table.py: {args.results_dir} is not a folder")
    text = render(args.results_dir, args.load)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
