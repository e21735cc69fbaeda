# SPDX-License-Identifier: PostgreSQL
# Helpers of the integration scripts that drive `pgqpp ticker` against queue
# q with consumer c (ticker_daemon.sh, valgrind_client.sh). Source it after
# testlib.sh; the script defines q DB SQL (psql -At).

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
