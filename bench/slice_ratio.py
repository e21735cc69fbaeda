#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Throughput with a daemon running against the same with it paused, from
one pgbench run during which the daemon was paused and resumed in turn.

    bench/slice_ratio.py PROGRESS TOGGLES

PROGRESS holds pgbench's `-P 1 --progress-timestamp` lines ("progress:
EPOCH s, TPS tps, ..."): one per second, each the rate of the second that
ends at EPOCH. TOGGLES holds "EPOCH running" / "EPOCH paused" lines: from
that moment on, the daemon was in that state. A second counts for a slice
only if it lies wholly inside it (the seconds across a switch are dropped).

Each running slice is compared with the mean of the paused slices next to it,
so that the machine's slow drifts (other work, a table growing) hit both
sides alike; the median of those ratios is the figure, the quartiles its
spread. Prints one line of key=value pairs:

    ratio=0.987 q1=0.95 q3=1.03 slices=15 running_tps=38123 paused_tps=38500

or `ratio=none slices=0` when the run was too short for a running slice with
a paused neighbour.
"""

import re
import statistics
import sys

PROGRESS_LINE = re.compile(r"progress: ([\d.]+) s, ([\d.]+) tps")


def read_toggles(path):
    """[(epoch, state)] in time order."""
    toggles = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                epoch, state = line.split()
                toggles.append((float(epoch), state))
    return sorted(toggles)


def slice_rates(progress_lines, toggles):
    """{slice index: [tps of each second wholly inside it]}."""
    slices = {}
    for line in progress_lines:
        m = PROGRESS_LINE.match(line)
        if not m:
            continue
        end, tps = float(m.group(1)), float(m.group(2))
        start = end - 1.0
        for i, (at, _) in enumerate(toggles):
            until = toggles[i + 1][0] if i + 1 < len(toggles) else float("inf")
            if at <= start and end <= until:
                slices.setdefault(i, []).append(tps)
                break
    return slices


def slice_ratios(slices, toggles):
    """Per running slice: its mean rate over the mean of its paused neighbours."""
    means = {i: statistics.mean(v) for i, v in slices.items()}
    ratios = []
    for i, mean in sorted(means.items()):
        if toggles[i][1] != "running":
            continue
        neighbours = [means[j] for j in (i - 1, i + 1) if j in means and toggles[j][1] == "paused"]
        if neighbours:
            ratios.append(mean / statistics.mean(neighbours))
    return means, ratios


def summary(progress_lines, toggles):
    slices = slice_rates(progress_lines, toggles)
    means, ratios = slice_ratios(slices, toggles)
    if not ratios:
        return "ratio=none slices=0"
    ratios.sort()
    n = len(ratios)
    running = [m for i, m in means.items() if toggles[i][1] == "running"]
    paused = [m for i, m in means.items() if toggles[i][1] == "paused"]
    return (f"ratio={statistics.median(ratios):.3f} q1={ratios[n // 4]:.3f} q3={ratios[(3 * n) // 4]:.3f} "
            f"slices={n} running_tps={statistics.mean(running):.0f} paused_tps={statistics.mean(paused):.0f}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    with open(sys.argv[1], encoding="utf-8") as f:
        progress = f.readlines()
    print(summary(progress, read_toggles(sys.argv[2])))


if __name__ == "__main__":
    main()
