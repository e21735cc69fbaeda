#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# bench/table.py: the rows of the parts become one Markdown table with the
# right ratios (pgqpp / raw, pgqpp / PgQ), n/a with its reason where a system
# has no figure, rows it does not know listed under their own names, the load
# run's rows (flagged when older than the run), and a one-line error for a
# malformed row. No server needed.
set -euo pipefail
. "$PGQPP_SOURCE_DIR/tests/lib/testlib.sh"
table=$PGQPP_SOURCE_DIR/bench/table.py
work=$PGQPP_TEST_WORK/bench_table
[ -n "${KEEP_TEST_WORK:-}" ] || rm -rf "$work"
mkdir -p "$work/results"
fail_context() { cat "$work/out.md" 2>/dev/null || true; }

tab() { printf '%s\t%s\t%s\t%s\t%s\n' "$@"; }
{
  tab core insert_single pgqpp 20000 ev/s
  tab core insert_single pgq 16000 ev/s
  tab core insert_single raw 25000 ev/s
} >"$work/results/core.tsv"
{
  tab ticker latency_lib_p50 pgqpp 2.5 ms
  tab ticker latency_lib_p50 pgq 1500 ms
  tab ticker latency_lib_p50 raw 0.5 ms
  tab ticker ticker_cpu_idle pgqpp 0.5 '% core'
  tab ticker ticker_cpu_idle pgq 2 '% core'
  tab ticker brand_new_metric pgqpp 7 widgets
} >"$work/results/ticker.tsv"
printf 'started_epoch\t%s\ncommit\tabc1234\nseconds_core\t42\n' "$(date +%s)" >"$work/results/info.tsv"
printf 'load\tsustained_rate\t50000\tev/s\nload\tlag_p99\t1.5\ts\n' >"$work/load.txt"
touch -d '2 hours ago' "$work/load.txt"

python3 "$table" "$work/results" --load "$work/load.txt" --out "$work/out.md" >"$work/stdout.md"
cmp -s "$work/out.md" "$work/stdout.md" || fail "--out differs from what was printed"
row() { grep -F "| $1" "$work/out.md" || fail "no row starting with '$1'"; }

# insert_single: 20000 / 25000 = 0.80, 20000 / 16000 = 1.25
[[ $(row "insert, 1 event per transaction") == *"| 20,000 | 16,000 | 25,000 | 0.80 | 1.25 |" ]] ||
  fail "insert_single row: $(row "insert, 1 event per transaction")"
# latency: 2.5 / 0.5 = 5.00, 2.5 / 1500 = 0.0017 (small ratios keep 2 digits)
[[ $(row "latency p50 at 100 ev/s") == *"| ms | lower | 2.5 | 1,500 | 0.5 | 5.00 | 0.0017 |" ]] ||
  fail "latency row: $(row "latency p50 at 100 ev/s")"
# no raw ticker: n/a with the reason, no ratio
[[ $(row "ticker CPU idle") == *"| 0.5 | 2 | n/a (no ticker) | – | 0.25 |" ]] ||
  fail "ticker CPU row: $(row "ticker CPU idle")"
[[ $(row "brand_new_metric") == *"| widgets | ? | 7 | n/a | n/a | – | – |" ]] ||
  fail "unknown metric row: $(row "brand_new_metric")"
grep -q "^## Other rows" "$work/out.md" || fail "unknown metrics are not under 'Other rows'"
grep -q "commit abc1234" "$work/out.md" || fail "the run's commit is missing"
grep -q "core 42 s" "$work/out.md" || fail "the part run times are missing"
# the load run: its rows, flagged as older than this run
grep -qF "| sustained_rate | 50,000 | ev/s |" "$work/out.md" || fail "the load rows are missing"
grep -q "From an earlier run" "$work/out.md" || fail "a stale load file is not flagged"
touch "$work/load.txt"
python3 "$table" "$work/results" --load "$work/load.txt" >"$work/out.md"
! grep -q "From an earlier run" "$work/out.md" || fail "a fresh load file is flagged as stale"
python3 "$table" "$work/results" --load "$work/missing.txt" >"$work/out.md"
! grep -q "Load run" "$work/out.md" || fail "a load section without a load file"

# a malformed row: one line on stderr, non-zero exit
printf 'core\tinsert_bulk\tpgqpp\t5\n' >"$work/results/bad.tsv"
if python3 "$table" "$work/results" >/dev/null 2>"$work/err"; then fail "a 4-field row was accepted"; fi
grep -q "bad.tsv line 1: expected 5 tab-separated fields" "$work/err" || fail "unclear error: $(cat "$work/err")"
printf 'core\tinsert_bulk\toracle\t5\tev/s\n' >"$work/results/bad.tsv"
if python3 "$table" "$work/results" >/dev/null 2>"$work/err"; then fail "an unknown system was accepted"; fi
grep -q "unknown system 'oracle'" "$work/err" || fail "unclear error: $(cat "$work/err")"
[ -n "${KEEP_TEST_WORK:-}" ] || rm -rf "$work"
echo "ok"
