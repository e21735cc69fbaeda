#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# pgqpp's client-side programs under valgrind memcheck: no leak (definite or
# indirect) and no bad memory access in the unit tests, in libpgqpp's
# integration tests, in the `pgqpp` tool's subcommands, or in `pgqpp ticker`
# through a whole life (serving a pgqpp and a PgQ 3.5 database, woken ticks,
# retry moves, rotation, metrics, SIGHUP, its connections cut, SIGTERM).
# The backend side has its own check (valgrind_backend.sh).
#
# Every run uses --error-exitcode, so a memcheck error or a leak makes the
# program exit 99 whatever it would have returned. The control, a program
# that leaks on purpose (tests/valgrind/leak_control.cpp), must exit 99 under
# the same options, so the check cannot pass by missing what it looks for.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/ticker.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/install-deps.sh installs it)"

build=$PGQPP_BUILD_DIR
pgqpp=$build/cli/pgqpp
work=$PGQPP_TEST_WORK/valgrind_client
mkdir -p "$work/vg"
log=$work/ticker.log
: >"$log"
dbs="vgc_main vgc_pgq"
ticker=
started=$SECONDS

cleanup() {
  [ -n "$ticker" ] && kill -9 "$ticker" 2>/dev/null || true
  for d in $dbs; do psql -X -q -d postgres -c "drop database if exists $d with (force)" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
last_out=
fail_context() {
  [ -z "$last_out" ] || { echo "--- $last_out:"; tail -40 "$last_out"; }
  echo "--- ticker log:"
  tail -20 "$log"
}

# Memcheck, children too (libpgqpp's crash tests start worker processes);
# with --quiet a process's log holds something only when memcheck found
# something.
# shellcheck disable=SC2054  # the commas are inside memcheck's option values
vg_opts=(--quiet --leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=yes
  --num-callers=30)
# vg NAME COMMAND...: COMMAND under memcheck, for at most 5 minutes; each
# process logs to vg/NAME.PID.log.
vg() {
  local name=$1
  shift
  timeout 300 valgrind "${vg_opts[@]}" --log-file="$work/vg/$name.%p.log" "$@"
}
# expect_clean NAME RC WANTED: fails with NAME's memcheck logs unless RC is
# WANTED and those logs are empty.
expect_clean() {
  local name=$1 rc=$2 wanted=$3 found
  found=$(cat "$work"/vg/"$name".*.log 2>/dev/null || true)
  if [ "$rc" -eq 99 ] || [ -n "$found" ]; then
    echo "$found" | head -80 >&2
    fail "$name: memcheck reports errors or leaks (exit $rc)"
  fi
  [ "$rc" -eq "$wanted" ] || fail "$name: exit code $rc, expected $wanted"
}
# run_clean NAME WANTED COMMAND...: vg with the output in NAME.out (shown
# when the check fails), then expect_clean.
run_clean() {
  local name=$1 wanted=$2 rc=0
  shift 2
  last_out=$work/$name.out
  vg "$name" "$@" >"$last_out" 2>&1 || rc=$?
  expect_clean "$name" "$rc" "$wanted"
}

# --- the control: a deliberate leak must fail ---
rc=0
vg control "$build/tests/pgqpp_leak_control" || rc=$?
[ "$rc" -eq 99 ] || fail "the leak control exited $rc under memcheck, not 99: the check would miss leaks"
grep -q "definitely lost" "$work"/vg/control.*.log && grep -q "leak_control.cpp" "$work"/vg/control.*.log ||
  fail "the control's log does not show its leak: $(cat "$work"/vg/control.*.log)"

# --- the pure C++ and libpgqpp against a real server ---
run_clean unit 0 "$build/tests/pgqpp_unit_tests" --gtest_brief=1
# ServerRestart restarts the shared test cluster; integration/lib_server_restart runs it.
PGQPP_LIB_TEST_EXTENSION=pgqpp run_clean lib 0 "$build/lib/tests/pgqpp_lib_integration_tests" \
  --gtest_brief=1 --gtest_filter='-ServerRestart*'
echo "NOTE valgrind: unit tests and libpgqpp's integration tests clean ($((SECONDS - started)) s)"

# --- the ticker through a whole life, the tool's subcommands beside it ---
for d in $dbs; do q postgres "drop database if exists $d" 2>/dev/null && q postgres "create database $d"; done
run_clean install 0 "$pgqpp" install --dsn "dbname=vgc_main"
run_clean create-queue 0 "$pgqpp" create-queue --dsn "dbname=vgc_main" q --set ticker_idle_period=30s
run_clean register 0 "$pgqpp" register --dsn "dbname=vgc_main" q c
q vgc_pgq "create extension pgq"
q vgc_pgq "select pgq.create_queue('q')" >/dev/null
q vgc_pgq "select pgq.register_consumer('q', 'c')" >/dev/null
ticker_test_ini "$work/ticker.ini" "$log" "vgc_main, vgc_pgq"
metrics_port=$(free_port)
valgrind "${vg_opts[@]}" --log-file="$work/vg/ticker.%p.log" "$pgqpp" ticker -q -v --metrics "127.0.0.1:$metrics_port" "$work/ticker.ini" &
ticker=$!
wait_for 60 "the ticker's wake-up path in vgc_main" log_has "db=vgc_main: wake-up path active"
wait_for 30 "the ticker serving vgc_pgq" log_has "db=vgc_pgq: serving pgq"

# Events in through produce, out through tail as the registered consumer,
# which finishes its batches: every one of them, once.
seq 1 300 | run_clean produce 0 "$pgqpp" produce --dsn "dbname=vgc_main" q --batch-size 100
rc=0
last_out=$work/tail.err
vg tail "$pgqpp" tail --dsn "dbname=vgc_main" q --consumer c --count 300 >"$work/tail.out" 2>"$work/tail.err" || rc=$?
expect_clean tail "$rc" 0
[ "$(wc -l <"$work/tail.out")" -eq 300 ] || fail "tail printed $(wc -l <"$work/tail.out") lines, expected 300"
grep -q "db=vgc_main queue=q: woken tick" "$log" || fail "no woken tick: the wake-up path did not tick"

# A retried event comes back through the daemon's retry moves.
q vgc_main "select pgq.insert_event('q', 't', 'retry me')" >/dev/null
wait_for 20 "a batch to retry from" retry_from_batch vgc_main "retry me"
wait_for 30 "the retried event back" batch_has vgc_main "retry me"

# Rotation, with the maintenance every maint_period.
run_clean config 0 "$pgqpp" config --dsn "dbname=vgc_main" q "rotation_period=0.5 seconds"
table_before=$(q vgc_main "select queue_cur_table from pgq.queue")
rotated() { [ "$(q vgc_main "select queue_cur_table from pgq.queue")" != "$table_before" ]; }
keep_consuming() { q vgc_main "select pgq.insert_event('q', 't', 'x')" >/dev/null; batch_has vgc_main x || true; rotated; }
wait_for 30 "a table rotation" keep_consuming

# Metrics, SIGHUP, the connections cut under it, and waking again after.
last_event_id() { curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -q '^pgqpp_queue_last_event_id{db="vgc_main",queue="q"} '; }
wait_for 20 "the metrics endpoint" last_event_id
sed -i 's/^stats_period = 1$/stats_period = 2/' "$work/ticker.ini"
kill -HUP "$ticker"
wait_for 20 "the reload line" log_has "config reloaded; changed: stats_period"
q postgres "select count(pg_terminate_backend(pid)) from pg_stat_activity
            where application_name like 'pgqpp ticker%'" >/dev/null
wait_for 30 "the ticker back in vgc_main" log_has "db=vgc_main: connected again"
waiter_back() {
  [ "$(q postgres "select count(*) from pg_stat_activity where datname = 'vgc_main'
                     and application_name = 'pgqpp ticker (wake-up)' and state = 'active'")" = 1 ]
}
wait_for 30 "the ticker's wake-up connection back in vgc_main" waiter_back
woken_before=$(grep -c "db=vgc_main queue=q: woken tick" "$log")
q vgc_main "select pgq.insert_event('q', 't', 'after the cut')" >/dev/null
wait_for 30 "the event after the cut" batch_has vgc_main "after the cut"
[ "$(grep -c "db=vgc_main queue=q: woken tick" "$log")" -gt "$woken_before" ] ||
  fail "no woken tick after the connections were cut"

# The tool's read-only and failing paths.
run_clean status 0 "$pgqpp" status --dsn "dbname=vgc_main"
run_clean status-json 0 "$pgqpp" status --dsn "dbname=vgc_main" --json
run_clean unknown-queue 1 "$pgqpp" tail --dsn "dbname=vgc_main" nope
run_clean unreachable 1 "$pgqpp" status --dsn "host=127.0.0.1 port=1 connect_timeout=2"
run_clean drop-queue 0 "$pgqpp" drop-queue --dsn "dbname=vgc_main" q --force

# SIGTERM: exit 0, and memcheck found nothing in the daemon's whole life.
kill -TERM "$ticker"
rc=0
wait "$ticker" || rc=$?
ticker=
last_out=
expect_clean ticker "$rc" 0
clean=0
for f in "$work"/vg/*; do case "$(basename "$f")" in control.*) ;; *) clean=$((clean + 1)) ;; esac; done
echo "NOTE valgrind: the leak control failed as it must; $clean processes clean, the ticker's whole life among them ($((SECONDS - started)) s)"
