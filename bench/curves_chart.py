#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Draws the cost curves of bench/curves.sh as one SVG with gnuplot.

    bench/curves_chart.py CURVES_POINTS OUT_SVG

Six panels, each pgqpp + `pgqpp ticker` beside PgQ 3.5 + pgqd where
measured: against the number of queues, the daemon's CPU (idle and at load),
latency p50/p99, and pgq.ticker()'s time with the private memory; against the
number of consumers of one queue, latency and the server's CPU per delivered
event; against the number of databases, idle CPU and connections. Without gnuplot (Debian's gnuplot-nox) it says so and exits 0:
the numbers are in curves.txt either way.
"""
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SYSTEMS = {"pgqpp": "pgqpp + pgqpp ticker", "pgq": "PgQ 3.5 + pgqd"}


def read_points(tsv):
    """{(system, curve, measure): {x: value}} from curves.points rows such as
    `curves  queues_1000_cpu_load  pgqpp  2.31  % core`."""
    points = collections.defaultdict(dict)
    for line in Path(tsv).read_text().splitlines():
        fields = line.split("\t")
        if len(fields) < 4 or fields[3] in ("", "-"):
            continue
        curve, x, measure = fields[1].split("_", 2)
        points[(fields[2], curve, measure)][int(x)] = float(fields[3])
    return points


def write_series(points, folder):
    """One data file per (system, curve, measure): `x value` lines, x ascending."""
    files = {}
    for key, values in points.items():
        path = Path(folder) / ("_".join(key) + ".dat")
        path.write_text("".join(f"{x} {values[x]}\n" for x in sorted(values)))
        files[key] = path
    return files


def plot_lines(files, curve, measures):
    """gnuplot `plot` terms for the measures of a curve, every system."""
    terms = []
    for system, label in SYSTEMS.items():
        for measure, title in measures:
            path = files.get((system, curve, measure))
            if path:
                terms.append(f"'{path}' using 1:2 with linespoints title '{label}: {title}'")
    # A curve not measured (a run with some curves left out): its panel
    # stays empty.
    return "plot " + ", ".join(terms) if terms else "set multiplot next"


def gnuplot_script(files, out):
    return "\n".join([
        f"set terminal svg size 1100,1150 dynamic font 'sans,11'",
        f"set output '{out}'",
        "set multiplot layout 3,2 title 'pgqpp cost curves (bench/curves.sh)'",
        "set logscale x 10", "set grid", "set key top left font ',9'",
        "set title 'daemon CPU (% of one core)'", "set xlabel 'queues in one database'",
        plot_lines(files, "queues", [("cpu_idle", "idle"), ("cpu_load", "100 ev/s")]),
        "set title 'commit-to-consumer latency (ms)'", "set logscale y 10",
        plot_lines(files, "queues", [("p50", "p50"), ("p99", "p99")]),
        "unset logscale y",
        "set title 'pgq.ticker() (ms) and private memory (MB)'",
        plot_lines(files, "queues", [("ticker", "ticker() ms"), ("ticker_warm", "ticker() warm ms"),
                                     ("memory", "memory MB")]),
        "set title 'consumers of one queue: latency (ms)'", "set xlabel 'consumers'", "set logscale y 10",
        plot_lines(files, "consumers", [("p50", "p50"), ("p99", "p99")]),
        "unset logscale y",
        "set title 'consumers of one queue: server CPU per delivered event (µs)'",
        plot_lines(files, "consumers", [("cpu", "µs/event")]),
        "set title 'one daemon serving many databases'", "set xlabel 'databases'",
        plot_lines(files, "databases", [("cpu_idle", "idle CPU %"), ("connections", "connections")]),
        "unset multiplot",
    ]) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: curves_chart.py CURVES_POINTS OUT_SVG")
    tsv, out = sys.argv[1], sys.argv[2]
    if not shutil.which("gnuplot"):
        print("curves_chart: gnuplot is not installed (apt-get install gnuplot-nox): no chart", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as folder:
        files = write_series(read_points(tsv), folder)
        subprocess.run(["gnuplot"], input=gnuplot_script(files, out), text=True, check=True)
    print(f"curves_chart: wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
