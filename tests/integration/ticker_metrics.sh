#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The ticker's Prometheus endpoint tells the truth (issue 18): it passes
# `promtool check metrics`; a database without PgQ has no series and is not
# counted; a failed refresh of the queue and consumer figures is retried, so
# they move again once the cause is gone, and each database exports the time
# of its last good refresh; a dropped database's series go at once, not at
# the next check_period; pgq.force_tick's jump of the event sequence is not
# reported as events; a consumer's max_batch_events is a gauge only for
# consumers that have one, and goes when it is unset.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/ticker.sh"
dbs="tkm_main tkm_plain tkm_drop"
ticker_test_setup ticker_metrics "$dbs"
command -v promtool >/dev/null || fail "promtool not found: install Debian's prometheus package (scripts/install-deps.sh)"
fail_context() { echo "--- metrics:"; scrape | grep -v '^#' | head -40; echo "--- ticker log:"; tail -30 "$log"; }
scrape() { curl -s "http://127.0.0.1:$metrics_port/metrics"; }
metric() { scrape | grep -F "$1{$2} " | awk '{print $2}'; } # metric NAME LABELS: its value
# (grep without -q reads the whole scrape: with -q it can quit early, and
# under pipefail curl's SIGPIPE would turn a match into a failure)
has_series() { scrape | grep -F "db=\"$1\"" >/dev/null; }

for d in tkm_main tkm_drop; do
  q $d "create extension pgqpp"
  q $d "select pgq.create_queue('q')" >/dev/null
  q $d "select pgq.register_consumer('q', 'c')" >/dev/null
done
# One delayed event an hour away, so the first scrape (linted below) has the
# delayed-event gauges.
q tkm_main "select pgq.insert_event_at('q', now() + interval '1 hour', 't', 'later')" >/dev/null

# Bounded batches for a second consumer, before the scrape promtool checks.
q tkm_main "select pgq.register_consumer('q', 'cb'),
                   pgq.set_consumer_config('q', 'cb', 'max_batch_events', '50')" >/dev/null

# A long check_period: whatever goes must go without waiting for discovery.
ticker_test_ini "$work/ticker.ini" "$log" "tkm_main, tkm_plain, tkm_drop"
metrics_port=$(free_port)
"$pgqpp" ticker -q -v --metrics "127.0.0.1:$metrics_port" --check-period 600 "$work/ticker.ini" &
pid=$!
main_figures() { [ -n "$(metric pgqpp_queue_last_tick_age_seconds 'db="tkm_main",queue="q"')" ]; }
wait_for 15 "tkm_main's queue figures" main_figures
wait_for 15 "tkm_drop's queue figures" has_series tkm_drop
wait_for 10 "the plain database looked at" log_has "db=tkm_plain: no pgq schema"
cb_limit() { [ -n "$(metric pgqpp_consumer_max_batch_events 'db="tkm_main",queue="q",consumer="cb"')" ]; }
wait_for 15 "cb's max_batch_events" cb_limit

# --- the linter: names, types, units, help texts ---
scrape >"$work/metrics.txt"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1 ||
  fail "promtool check metrics: $(cat "$work/promtool.out")"
echo "promtool check metrics: clean"

# --- a database without PgQ is neither a series nor counted ---
! has_series tkm_plain || fail "series for tkm_plain, which has no PgQ: $(scrape | grep tkm_plain)"
# (polled: a scrape that meets the metrics server busy can come back empty)
two_databases() { [ "$(scrape | awk '$1 == "pgqpp_ticker_databases" {print $2}')" = 2 ]; }
wait_for 10 "pgqpp_ticker_databases to be 2" two_databases
grep -q "^# TYPE pgqpp_queue_last_tick_id gauge" "$work/metrics.txt" || fail "pgqpp_queue_last_tick_id is not a gauge"
echo "only databases with PgQ are served and counted"

# --- dead letters per consumer ---
c_labels='db="tkm_main",queue="q",consumer="c"'
grep -qxF "pgqpp_consumer_dead_letters{$c_labels} 0" "$work/metrics.txt" ||
  fail "no pgqpp_consumer_dead_letters 0 for c: $(grep dead_letters "$work/metrics.txt")"
q tkm_main "insert into pgq.dead_letter (dead_reason, ev_queue, ev_id, ev_time, ev_owner)
            select 'test', sub_queue, 1, now(), sub_id from pgq.subscription" >/dev/null
dead_counted() { [ "$(metric pgqpp_consumer_dead_letters "$c_labels")" = 1 ]; }
wait_for 15 "c's dead letter counted" dead_counted
echo "dead letters counted per consumer"

# --- delayed events waiting per queue ---
q_labels='db="tkm_main",queue="q"'
[ "$(metric pgqpp_queue_delayed_pending "$q_labels")" = 1 ] ||
  fail "pgqpp_queue_delayed_pending is not 1: $(grep delayed "$work/metrics.txt")"
due_in=$(metric pgqpp_queue_delayed_next_due_seconds "$q_labels")
awk -v d="$due_in" 'BEGIN { exit !(d > 3000 && d <= 3600) }' ||
  fail "pgqpp_queue_delayed_next_due_seconds is not about an hour: '$due_in'"
grep -q "^# TYPE pgqpp_queue_delayed_pending gauge" "$work/metrics.txt" || fail "pgqpp_queue_delayed_pending is not a gauge"
q tkm_main "select pgq.insert_event_at('q', now() + interval '1 hour', 't', 'later')" >/dev/null
two_delayed() { [ "$(metric pgqpp_queue_delayed_pending "$q_labels")" = 2 ]; }
wait_for 15 "the second delayed event counted" two_delayed
echo "delayed events counted per queue, with the time to the next"

# --- max_batch_events: only consumers that have it, gone once unset ---
cb_labels='db="tkm_main",queue="q",consumer="cb"'
grep -qxF "pgqpp_consumer_max_batch_events{$cb_labels} 50" "$work/metrics.txt" ||
  fail "no pgqpp_consumer_max_batch_events 50 for cb: $(grep max_batch "$work/metrics.txt")"
grep -q "^# TYPE pgqpp_consumer_max_batch_events gauge" "$work/metrics.txt" ||
  fail "pgqpp_consumer_max_batch_events is not a gauge"
! grep -qF "pgqpp_consumer_max_batch_events{$c_labels}" "$work/metrics.txt" ||
  fail "pgqpp_consumer_max_batch_events for c, which has none"
q tkm_main "select pgq.set_consumer_config('q', 'cb', 'max_batch_events', null)" >/dev/null
unset_gone() { [ -z "$(metric pgqpp_consumer_max_batch_events "$cb_labels")" ]; }
wait_for 15 "cb's max_batch_events series to go once unset" unset_gone
echo "max_batch_events exported for the consumers that have it"

# --- force_tick jumps the event sequence: no events counter may move ---
stamp() { metric pgqpp_ticker_last_refresh_timestamp_seconds 'db="tkm_main"'; }
[ -n "$(stamp)" ] || fail "no pgqpp_ticker_last_refresh_timestamp_seconds for tkm_main"
q tkm_main "select pgq.insert_event('q', 't', 'one')" >/dev/null
q tkm_main "select pgq.force_tick('q')" >/dev/null
before_force=$(stamp)
refreshed() { [ "$(stamp)" != "$before_force" ]; }
wait_for 15 "a refresh after force_tick" refreshed
! scrape | grep -E '^pgqpp_queue_events_total' >/dev/null || fail "pgqpp_queue_events_total is still exported"
echo "force_tick moves no event counter"

# --- a failed refresh is retried: the figures move again afterwards ---
q tkm_main "alter function pgq.get_consumer_info() rename to get_consumer_info_away"
wait_for 15 "the failed refresh in the log" log_has "get_consumer_info() does not exist"
sleep 3
frozen_stamp=$(stamp)
frozen_age=$(metric pgqpp_queue_last_tick_age_seconds 'db="tkm_main",queue="q"')
sleep 2
[ "$(stamp)" = "$frozen_stamp" ] || fail "the refresh time moved while refreshes failed"
q tkm_main "alter function pgq.get_consumer_info_away() rename to get_consumer_info"
moved() { [ "$(stamp)" != "$frozen_stamp" ] &&
  [ "$(metric pgqpp_queue_last_tick_age_seconds 'db="tkm_main",queue="q"')" != "$frozen_age" ]; }
wait_for 45 "the figures to move again after the failure" moved
echo "refresh failure: retried, figures fresh again"

# --- a dropped database's series go with it ---
q postgres "drop database tkm_drop with (force)"
gone() { ! has_series tkm_drop; }
wait_for 15 "tkm_drop's series to go" gone
[ "$(scrape | awk '$1 == "pgqpp_ticker_databases" {print $2}')" = 1 ] || fail "pgqpp_ticker_databases is not 1 after the drop"
echo "dropped database's series gone before the next check_period"

kill -TERM "$pid"
wait "$pid" || fail "exit code $? after SIGTERM"
pid=
