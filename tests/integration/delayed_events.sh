#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Delayed events with the real ticker (`pgqpp ticker`, pgqpp preloaded):
# 1,000 delayed events per second for a few seconds, each due a random 0 to
# 500 ms after it is sent (pgq.insert_events_at); libpgqpp's Consumer gets
# every one exactly once and never before its deliver_at
# (bench/delayed_lateness checks both and fails otherwise). Lateness p50/p99
# is printed as NOTE lines, not judged (timing is for `make bench`). Then:
# `pgqpp produce --delay` / `--at` store delayed events that arrive after
# their time and not before, and bad --at text fails with one line.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/ticker.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
probe=$PGQPP_BUILD_DIR/bench/delayed_lateness
work=$PGQPP_TEST_WORK/delayed_events
mkdir -p "$work"
log=$work/ticker.log
: >"$log"
db=delayed_events
export PGDATABASE=$db
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  psql -X -q -d postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail_context() { echo "--- ticker log:"; tail -20 "$log"; }

[ -x "$probe" ] || fail "missing $probe (build the bench targets)"
psql -X -q -d postgres -c "drop database if exists $db" -c "create database $db"
q "$db" "create extension pgqpp"
q "$db" "select pgq.create_queue('dq')" >/dev/null
q "$db" "select pgq.create_queue('cli')" >/dev/null
q "$db" "select pgq.register_consumer('cli', 'c')" >/dev/null

ticker_test_ini "$work/ticker.ini" "$log" "$db"
"$pgqpp" ticker -q "$work/ticker.ini" &
pid=$!

# --- 1,000 delayed events/s for 4 s, every one once and never early ---
conninfo="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db"
out=$("$probe" "$conninfo" dq lateness 1000 4 500) || fail "delayed_lateness: $out"
echo "$out"
read -ra fields <<<"$out"
for kv in "${fields[@]}"; do
  case $kv in p50_ms=*|p99_ms=*|max_ms=*) echo "NOTE: delayed lateness ${kv%%=*} ${kv#*=} (1,000 ev/s, 0-500 ms delays)" ;; esac
done
[ "$(q "$db" "select count(*) from pgq.delayed_pending")" = 0 ] || fail "delayed events left behind"
sleep 1.5  # the ticker's statistics reach pg_stat
storage="select inhrelid from pg_inherits where inhparent = 'pgq.delayed_event'::regclass"
dead=$(q "$db" "select sum(n_dead_tup) || ' dead tuples, ' || sum(n_tup_del) || ' rows deleted'
                  from pg_stat_user_tables where relid in ($storage)")
echo "NOTE: pgq.delayed_event's child tables after 4,000 delayed events: ${dead:-unknown} (target 0)"

# --- pgqpp produce --delay / --at ---
# batch_in_cli: the ev_data of the next batch of queue cli, finished.
batch_in_cli() {
  local b
  b=$(q "$db" "select pgq.next_batch('cli', 'c')")
  [ -n "$b" ] || return 0
  q "$db" "select ev_data from pgq.get_batch_events($b) order by ev_id"
  q "$db" "select pgq.finish_batch($b)" >/dev/null
}
got=
seen_cli() { got="$got$(batch_in_cli)"; echo "$got" | grep -q "$1"; }
echo later | "$pgqpp" produce cli --delay '2 seconds' >"$work/delay.out" 2>&1 || fail "produce --delay: $(cat "$work/delay.out")"
start=$(date +%s%N)
sleep 1
seen_cli later && fail "produce --delay: delivered before its time"
wait_for 30 "the --delay event" seen_cli later
echo "produce --delay: delivered after $(( ($(date +%s%N) - start) / 1000000 )) ms (due after 2000 ms), not before"
got=
echo at-time | "$pgqpp" produce cli --at "$(q "$db" "select now() + interval '1.5 seconds'")" >"$work/at.out" 2>&1 || fail "produce --at: $(cat "$work/at.out")"
wait_for 30 "the --at event" seen_cli at-time
q "$db" "select count(*) from pgq.delayed_pending" | grep -qx 0 || fail "produce --at: left behind"
echo "produce --at: delivered"
set +e
echo x | "$pgqpp" produce cli --at 'not a time' >"$work/bad.out" 2>"$work/bad.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "produce --at 'not a time': exit 0"
[ "$(wc -l <"$work/bad.err")" -eq 1 ] || fail "produce --at 'not a time': $(cat "$work/bad.err")"
echo "produce --at 'not a time': $(cat "$work/bad.err")"
kill "$pid"
wait "$pid" || fail "ticker exit status $?"
pid=
