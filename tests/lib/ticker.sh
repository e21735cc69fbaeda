# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# Helpers of the integration scripts that drive `pgqpp ticker` (delayed_events.sh,
# pooler_wait.sh, valgrind_client.sh), most against queue q with consumer c;
# the daemon's own cases are in tests/cluster (ticker_fixture.hpp). Sourcing it
# brings testlib.sh and cluster.sh.
_ticker_lib=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=tests/lib/testlib.sh
. "$_ticker_lib/testlib.sh"
# shellcheck source=tests/lib/cluster.sh
. "$_ticker_lib/cluster.sh"

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
