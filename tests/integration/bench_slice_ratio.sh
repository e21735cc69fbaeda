#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# bench/slice_ratio.py: the insert rate of slices with the daemon running
# against the paused slices next to them, from pgbench's progress lines.
# Seconds that span a switch are dropped; a run too short for one running
# slice with a paused neighbour gives ratio=none. No server needed.
set -euo pipefail
. "$PGQPP_SOURCE_DIR/tests/lib/testlib.sh"
ratio=$PGQPP_SOURCE_DIR/bench/slice_ratio.py
work=$PGQPP_TEST_WORK/bench_slice_ratio
rm -rf "$work"
mkdir -p "$work"

# Slices of 3 s from t=100: running, paused, running, paused, running.
printf '%s\n' "100.0 running" "103.0 paused" "106.0 running" "109.0 paused" "112.0 running" >"$work/toggles"
progress() {  # END_EPOCH TPS
  printf 'progress: %s s, %s tps, lat 0.100 ms stddev 0.010, 0 failed\n' "$1" "$2"
}
{
  progress 101.0 900; progress 102.0 900; progress 103.0 900   # running: 900
  progress 103.5 1     # spans the switch at 103: dropped
  progress 105.0 1000; progress 106.0 1000                      # paused: 1000
  progress 107.0 950; progress 108.0 950; progress 109.0 950    # running: 950
  progress 110.0 1000; progress 111.0 1000; progress 112.0 1000 # paused: 1000
  progress 113.0 990; progress 114.0 990                        # running: 990
  echo "some other line pgbench prints"
} >"$work/progress"
out=$(python3 "$ratio" "$work/progress" "$work/toggles")
# Ratios 0.900, 0.950 and 0.990: median 0.950, quartiles (of 3) the first and last.
[[ $out == "ratio=0.950 q1=0.900 q3=0.990 slices=3 running_tps=947 paused_tps=1000" ]] ||
  fail "unexpected summary: $out"

# One slice only: nothing to compare with.
printf '%s\n' "100.0 running" >"$work/toggles"
out=$(python3 "$ratio" "$work/progress" "$work/toggles")
[[ $out == "ratio=none slices=0" ]] || fail "a run without a paused slice gave: $out"

# Wrong use: one line of usage, non-zero exit.
if python3 "$ratio" "$work/progress" >"$work/usage" 2>&1; then fail "no error without TOGGLES"; fi
[ "$(wc -l <"$work/usage")" -ge 1 ] || fail "no usage line"
[ -n "${KEEP_TEST_WORK:-}" ] || rm -rf "$work"
echo "ok"
