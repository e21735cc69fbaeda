# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# Helpers of the integration scripts that drive `pgqpp ticker` (pooler_wait.sh,
# valgrind_client.sh, sqlonly_install_ticker.sh), most against queue q with consumer c;
# the daemon's own cases are in tests/cluster (ticker_fixture.hpp). Sourcing it
# brings testlib.sh and cluster.sh.
_ticker_lib=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=tests/lib/testlib.sh
. "$_ticker_lib/testlib.sh"
# shellcheck source=tests/lib/cluster.sh
. "$_ticker_lib/cluster.sh"

# ticker_test_setup NAME [DATABASES]: the preamble of a script that runs
# `pgqpp ticker` (sqlonly_install_ticker.sh). Sets pgqpp (the binary), work
# ($PGQPP_TEST_WORK/NAME), log (an empty log file), pidfile and pid (the
# ticker the script starts, none yet); DATABASES are created empty
# (fresh_databases). At exit it kills a ticker left running (by $pid or its
# pidfile) and drops the databases. fail_context shows the log's tail.
# shellcheck disable=SC2034  # the variables are the test script's
ticker_test_setup() {
  pgqpp=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp
  work=${PGQPP_TEST_WORK:?PGQPP_TEST_WORK is not set}/$1
  mkdir -p "$work"
  log=$work/ticker.log
  pidfile=$work/ticker.pid
  pid=
  : >"$log"
  rm -f "$pidfile"
  trap _ticker_test_cleanup EXIT
  # shellcheck disable=SC2086  # a list of names
  [ -z "${2:-}" ] || fresh_databases $2
}
_ticker_test_cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  drop_databases
}
fail_context() { echo "--- ticker log:"; tail -30 "$log" 2>/dev/null; }
# not_running PID: true once process PID has ended.
not_running() { ! kill -0 "$1" 2>/dev/null; }

# log_has TEXT: the ticker's log ($log, set by the script) holds a line
# matching TEXT (grep pattern).
# shellcheck disable=SC2154
log_has() { grep -q -- "$1" "$log"; }

# ticker_test_ini FILE LOG DATABASES: a pgqd-style config for the test
# cluster (PGHOST, PGPORT, PGUSER) with short periods, so that retries,
# maintenance and discovery happen within a test's waits.
ticker_test_ini() {
  cat >"$1" <<INI
[pgqd]
base_connstr = host=$PGHOST port=$PGPORT user=$PGUSER
initial_database = postgres
database_list = $3
logfile = $2
syslog = 0
ticker_period = 0.2
retry_period = 0.3
maint_period = 0.5
check_period = 0.5
stats_period = 1
INI
}

# batch_has DB EVENT_DATA: consumes one batch of q for c; true if it held
# the event.
batch_has() {
  local b got
  b=$(q "$1" "select pgq.next_batch('q', 'c')")
  [ -n "$b" ] || return 1
  got=$(q "$1" "select count(*) from pgq.get_batch_events($b) where ev_data = '$2'")
  q "$1" "select pgq.finish_batch($b)" >/dev/null
  [ "$got" = 1 ]
}

# retry_from_batch DB EVENT_DATA: consumes one batch of q for c, asking for
# the event to come again at once (event_retry with 0 seconds); false if no
# batch was ready.
retry_from_batch() {
  local b
  b=$(q "$1" "select pgq.next_batch('q', 'c')")
  [ -n "$b" ] || return 1
  q "$1" "select pgq.event_retry($b, ev_id, 0) from pgq.get_batch_events($b) where ev_data = '$2'" >/dev/null
  q "$1" "select pgq.finish_batch($b)" >/dev/null
}
