#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp produce` against the test cluster: plain lines and JSON lines land in
# the queue field by field (extras, unicode, JSON data, blank and unterminated
# lines), --batch-size sets the transactions, a malformed JSON line is reported
# with its line number and keeps the lines before it (or nothing with
# --atomic), an unknown queue fails before any input is read, and an
# unreachable server, a database without PgQ and usage mistakes give one line
# on stderr with exit 1 or 2.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/cli_produce
mkdir -p "$work"
db=cli_produce
fresh_databases $db ${db}_nopgq ${db}_pgq35
q "$db" "create extension pgqpp"
q "$db" "select pgq.create_queue('q')" >/dev/null
export PGDATABASE=$db
qid=$(q "$db" "select queue_id from pgq.queue where queue_name = 'q'")
# Events of queue q, one line each: type|data|extra1|extra2|extra3|extra4
# (NULL shown as <null>), in ev_id order.
events() {
  psql -X -q -At -v ON_ERROR_STOP=1 -P null='<null>' -c \
    "select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4 from pgq.event_$qid order by ev_id"
}
reset_queue() { q "$db" "truncate pgq.event_$qid"; }
# expect_error RC PATTERN COMMAND...: COMMAND exits RC with one stderr line matching PATTERN.
expect_error() {
  local rc=$1 pattern=$2; shift 2
  set +e
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  set -e
  [ "$got" -eq "$rc" ] || fail "$*: exit $got, expected $rc (stderr: $(cat "$work/err"))"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$*: expected one line on stderr, got: $(cat "$work/err")"
  grep -qE -- "$pattern" "$work/err" || fail "$*: stderr does not match '$pattern': $(cat "$work/err")"
}

# --- plain lines: each line is ev_data; empty and unterminated lines count ---
printf 'one\ntwo ✓ ünïcode\n\n  spaced  \nlast-without-newline' | "$pgqpp" produce q --type t.plain >"$work/out"
grep -q "^produced 5 events into queue q" "$work/out" || fail "plain: summary line: $(cat "$work/out")"
expected='t.plain|one|<null>|<null>|<null>|<null>
t.plain|two ✓ ünïcode|<null>|<null>|<null>|<null>
t.plain||<null>|<null>|<null>|<null>
t.plain|  spaced  |<null>|<null>|<null>|<null>
t.plain|last-without-newline|<null>|<null>|<null>|<null>'
[ "$(events)" = "$expected" ] || fail "plain events: $(events)"
echo "plain lines inserted field by field"

# --- JSON lines: data strings and values, extras, default type, blank lines ---
reset_queue
cat >"$work/in.jsonl" <<'JSON'
{"type": "order.created", "data": "plain ✓ text", "extra1": "public.orders", "extra2": "e2", "extra3": "e3", "extra4": "e4"}
{"data": {"order": 7, "tags": ["a", "ü"]}, "extra2": null, "extra3": 42}

{"type": "t", "data": "", "extra4": "only four"}
{"id": 99, "time": "2026-01-01T00:00:00Z", "txid": 5, "retry": null, "type": "copied", "data": "from tail"}
JSON
"$pgqpp" produce q --json --type dflt <"$work/in.jsonl" >"$work/out"
grep -q "^produced 4 events" "$work/out" || fail "json: summary: $(cat "$work/out")"
expected='order.created|plain ✓ text|public.orders|e2|e3|e4
dflt|{"order":7,"tags":["a","ü"]}|<null>|<null>|42|<null>
t||<null>|<null>|<null>|only four
copied|from tail|<null>|<null>|<null>|<null>'
[ "$(events)" = "$expected" ] || fail "json events: $(events)"
echo "JSON lines inserted field by field"

# --- PgQ 3.5 (no pgq.insert_events): the library's fallback, same result ---
psql -X -q -At -v ON_ERROR_STOP=1 -d ${db}_pgq35 -c "create extension pgq" -c "select pgq.create_queue('q')" >/dev/null
"$pgqpp" produce q --json --type dflt --dsn "dbname=${db}_pgq35" <"$work/in.jsonl" >"$work/out"
got=$(psql -X -q -At -P null='<null>' -d ${db}_pgq35 -c \
  "select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4 from pgq.event_1 order by ev_id")
[ "$got" = "$expected" ] || fail "PgQ 3.5 events: $got"
echo "PgQ 3.5: the same events through pgq.insert_event"

# --- --batch-size: one transaction per batch; --atomic: one for everything ---
reset_queue
seq 25 | "$pgqpp" produce q --batch-size 10 >/dev/null
[ "$(q "$db" "select count(*), count(distinct ev_txid) from pgq.event_$qid")" = "25|3" ] ||
  fail "--batch-size 10: $(q "$db" "select count(*), count(distinct ev_txid) from pgq.event_$qid")"
reset_queue
seq 25 | "$pgqpp" produce q --batch-size 10 --atomic >/dev/null
[ "$(q "$db" "select count(*), count(distinct ev_txid) from pgq.event_$qid")" = "25|1" ] || fail "--atomic: not one transaction"
echo "--batch-size and --atomic set the transactions"

# --- a malformed line: its number; the lines before it are kept ---
reset_queue
printf '{"data":"1"}\n{"data":"2"}\n{"data":"3"}\n\n{"data":"5"}\n{"data": "6", oops}\n{"data":"7"}\n' >"$work/bad.jsonl"
expect_error 1 '^pgqpp produce: line 6: invalid JSON at column .*; lines 1–5 inserted; resend from line 6$' \
  "$pgqpp" produce q --json --batch-size 2 <"$work/bad.jsonl"
[ "$(events | cut -d'|' -f2 | tr '\n' ' ')" = "1 2 3 5 " ] || fail "malformed: kept $(events | cut -d'|' -f2 | tr '\n' ' ')"
reset_queue
expect_error 1 '^pgqpp produce: line 6: .*; nothing inserted \(--atomic\)$' \
  "$pgqpp" produce q --json --batch-size 2 --atomic <"$work/bad.jsonl"
[ -z "$(events)" ] || fail "--atomic kept events: $(events)"
printf '{"data":"x"}\n{"data":"y","extra5":"z"}\n' | {
  expect_error 1 '^pgqpp produce: line 2: unknown key "extra5"' "$pgqpp" produce q --json
}
printf '{"data":"x"}\n[1]\n' | { expect_error 1 '^pgqpp produce: line 2: expected a JSON object' "$pgqpp" produce q --json; }
printf '{"type":"t"}\n' | { expect_error 1 '^pgqpp produce: line 1: no "data" key' "$pgqpp" produce q --json; }
echo "malformed lines reported by number; kept (default) or discarded (--atomic)"

# --- failures before reading input: unknown queue, no PgQ, no server ---
# stdin stays open for 8 s: a tool that read input first would be killed by
# timeout after 5 s (exit 124, not 1).
sleep 8 | { expect_error 1 '^pgqpp produce: queue nosuch does not exist in database cli_produce \(create it' \
  timeout 5 "$pgqpp" produce nosuch; }
echo "" | { expect_error 1 '^pgqpp produce: database cli_produce_nopgq has no PgQ \(no schema pgq\); install it first' \
  "$pgqpp" produce q --dsn "dbname=cli_produce_nopgq"; }
echo "" | { expect_error 1 '^pgqpp produce: cannot reach the database: .*check --dsn' \
  "$pgqpp" produce q --dsn "host=127.0.0.1 port=1 dbname=x connect_timeout=3"; }
echo "unknown queue, missing PgQ and unreachable server: exit 1, one line"

# --- on a terminal (tmux): a progress line on stderr for long input ---
command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps.sh installs it)"
tmux_socket=pgqpp_cli_produce_$$
trap 'tmux -L "$tmux_socket" kill-server 2>/dev/null || true; drop_databases' EXIT
reset_queue
rm -f "$work/tty.rc"
# Input that trickles in for about 3 s, so the meter has something to show.
tmux -L "$tmux_socket" new-session -d -s produce -x 160 -y 20 \
  "(for i in \$(seq 30); do seq 1000; sleep 0.1; done) | '$pgqpp' produce q --batch-size 100 >'$work/tty.out'; echo \$? >'$work/tty.rc'; sleep 60"
progress_shown() { tmux -L "$tmux_socket" capture-pane -p -t produce | grep -qE '^[0-9,]+ events, [0-9,]+ events/s'; }
end=$((SECONDS + 20))
until progress_shown; do
  [ $SECONDS -lt $end ] && [ ! -s "$work/tty.rc" ] || fail "no progress line on the terminal: $(tmux -L "$tmux_socket" capture-pane -p -t produce)"
  sleep 0.1
done
end=$((SECONDS + 30))
until [ -s "$work/tty.rc" ]; do [ $SECONDS -lt $end ] || fail "produce under tmux did not end"; sleep 0.1; done
[ "$(cat "$work/tty.rc")" = 0 ] || fail "produce under tmux: exit $(cat "$work/tty.rc")"
grep -q "^produced 30,000 events into queue q" "$work/tty.out" || fail "produce under tmux: $(cat "$work/tty.out")"
progress_shown && fail "the progress line was not cleared at the end"
[ "$(events | wc -l)" = 30000 ] || fail "produce under tmux inserted $(events | wc -l) events"
tmux -L "$tmux_socket" kill-server
echo "terminal: a progress line while input arrives, cleared at the end"

# --- usage mistakes: exit 2 ---
expect_error 2 'queue is required' "$pgqpp" produce
expect_error 2 'batch-size' "$pgqpp" produce q --batch-size 0
expect_error 2 'no-such-flag' "$pgqpp" produce q --no-such-flag
"$pgqpp" produce --help | grep -q "Examples:" || fail "--help has no example"
echo "usage mistakes: exit 2"
echo "cli_produce: ok"
