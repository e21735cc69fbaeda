#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp produce` on bad input (issue 18, item 4): a NUL byte, JSON \u0000,
# a number out of range (1e400) and invalid UTF-8, on lines that sit in the
# middle of a --batch-size batch, at batch edges and past the bad-event
# search's chunks. Each time: exit 1, one line on stderr "line N: reason;
# lines 1–(N-1) inserted; resend from line N" (or nothing inserted with
# --atomic), exactly lines 1..N-1 in the queue, and no other line's payload
# on stderr. Invalid UTF-8 in plain lines is refused by the server, not the
# tool: it takes the path that finds the rejected event inside a batch. A
# server error that is no line's fault (the queue dropped under produce)
# keeps the same accounting. The same against PgQ 3.5 (pgq.insert_event per
# row).
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/cli_produce_bad_input
mkdir -p "$work"
db=cli_produce_bad_input
fresh_databases $db ${db}_pgq35
q $db "create extension pgqpp" "select pgq.create_queue('q')" >/dev/null
q ${db}_pgq35 "create extension pgq" "select pgq.create_queue('q')" >/dev/null

# input FILE MODE LINES BAD KIND: LINES lines whose payloads are
# payload-00001..., line BAD replaced by a bad one of KIND (nul, json_nul,
# json_overflow, utf8); MODE plain or json.
input() {
  python3 - "$@" <<'PY'
import sys
path, mode, lines, bad, kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
bad_lines = {
    "nul": b"payload-%05d\x00tail",
    "utf8": b"payload-%05d\xff\xfe",
    "json_nul": b'{"data":"payload-%05d\\u0000"}',
    "json_overflow": b'{"data":1e400,"extra1":"payload-%05d"}',
    "json_utf8": b'{"data":"payload-%05d\xff"}',
}
with open(path, "wb") as f:
    for i in range(1, lines + 1):
        if i == bad:
            f.write(bad_lines[kind] % i + b"\n")
        elif mode == "json":
            f.write(b'{"data":"payload-%05d"}\n' % i)
        else:
            f.write(b"payload-%05d\n" % i)
PY
}

# check DB N REASON_RE ARGS...: produce from $work/in fails on line N with a
# reason matching REASON_RE; exactly lines 1..N-1 are in the queue (their
# events: payload-00001 up to payload-<events_expected>, by default N-1).
check() {
  local dbname=$1 n=$2 reason=$3 rc
  shift 3
  psql -X -q -d "$dbname" -c "truncate pgq.event_1" >/dev/null
  set +e
  "$pgqpp" produce q --dsn "dbname=$dbname" "$@" <"$work/in" >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  local what="produce $* (line $n, $dbname)"
  [ $rc -eq 1 ] || fail "$what: exit $rc; stderr: $(head -c 2000 "$work/err")"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$what: not one line on stderr: $(head -c 2000 "$work/err")"
  local kept
  if [ "$n" -eq 1 ]; then kept="nothing inserted; resend from line 1"
  elif [ "$n" -eq 2 ]; then kept="line 1 inserted; resend from line 2"
  else kept="lines 1–$((n - 1)) inserted; resend from line $n"; fi
  grep -qE "^pgqpp produce: line $n: $reason; $kept\$" "$work/err" ||
    fail "$what: stderr: $(cat "$work/err")"
  # Other lines' payloads never appear (the bad line may quote its own).
  if grep -ao 'payload-[0-9]*' "$work/err" | grep -v "payload-$(printf %05d "$n")"; then
    fail "$what: other events' payloads on stderr: $(head -c 2000 "$work/err")"
  fi
  local want=${events_expected:-$((n - 1))} got
  got=$(psql -X -q -At -d "$dbname" -c "select count(*), count(distinct ev_data), coalesce(min(ev_data), '-'), coalesce(max(ev_data), '-') from pgq.event_1")
  if [ "$want" -eq 0 ]; then
    [ "$got" = "0|0|-|-" ] || fail "$what: inserted $got, expected nothing"
  else
    [ "$got" = "$want|$want|payload-00001|payload-$(printf %05d "$want")" ] ||
      fail "$what: inserted (count|distinct|min|max) $got, expected lines 1..$want"
  fi
}

# --- checked by the tool: NUL byte, JSON \u0000, 1e400, invalid UTF-8 in JSON ---
input "$work/in" plain 1700 1200 nul
check $db 1200 'a NUL byte at byte 14, which PostgreSQL text cannot store' --batch-size 500
input "$work/in" json 1700 1200 json_nul
check $db 1200 '"data" contains a NUL character \(\\u0000\), which PostgreSQL text cannot store' --json --batch-size 500
input "$work/in" json 1700 1200 json_overflow
check $db 1200 "invalid JSON: number overflow parsing '1e400'" --json --batch-size 500
input "$work/in" json 1700 1200 json_utf8
check $db 1200 'invalid JSON at column 23: syntax error while parsing value - invalid string: ill-formed UTF-8 byte' --json --batch-size 500
echo "NUL byte, JSON \\u0000, 1e400, invalid UTF-8 in JSON: line 1200 named, lines 1-1199 kept"

# --- refused by the server: invalid UTF-8 in a plain line, at batch edges ---
utf8_reason='invalid byte sequence for encoding "UTF8": 0xff( 0xfe)?'
for n in 1 2 500 501 1000 1001 1200 1500; do
  input "$work/in" plain 1700 $n utf8
  check $db $n "$utf8_reason" --batch-size 500
done
# One batch of everything; the bad event past the search's first chunks.
input "$work/in" plain 3000 2345 utf8
check $db 2345 "$utf8_reason" --batch-size 1000000
input "$work/in" plain 3000 2345 utf8
check $db 2345 "$utf8_reason"
echo "invalid UTF-8 refused by the server: exactly the lines before it kept, at every batch position"

# --- a blank JSON line just before the bad one counts as done ---
{ for i in 1 2 3; do printf '{"data":"payload-%05d"}\n' $i; done; echo; printf '{"data":1e400}\n'; } >"$work/in"
events_expected=3 check $db 5 "invalid JSON: number overflow parsing '1e400'" --json --batch-size 2
echo "a skipped blank line before the bad one: lines 1-4 reported inserted"

# --- --atomic: nothing inserted, the bad line still named ---
for kind in nul utf8; do
  input "$work/in" plain 1700 1200 $kind
  psql -X -q -d $db -c "truncate pgq.event_1" >/dev/null
  set +e
  "$pgqpp" produce q --dsn "dbname=$db" --batch-size 500 --atomic <"$work/in" >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  [ $rc -eq 1 ] || fail "--atomic $kind: exit $rc"
  grep -qE '^pgqpp produce: line 1200: .*; nothing inserted \(--atomic\)$' "$work/err" || fail "--atomic $kind: $(cat "$work/err")"
  [ "$(psql -X -q -At -d $db -c 'select count(*) from pgq.event_1')" = 0 ] || fail "--atomic $kind inserted events"
done
echo "--atomic: line 1200 named, nothing inserted"

# --- a server error that is no line's fault: the queue dropped under produce ---
psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "select pgq.create_queue('gone')" >/dev/null
mkfifo "$work/gone.fifo"
"$pgqpp" produce gone --dsn "dbname=$db" <"$work/gone.fifo" >"$work/gone.out" 2>"$work/gone.err" &
gone_pid=$!
exec 3>"$work/gone.fifo"
printf 'payload-00001\npayload-00002\npayload-00003\n' >&3
three_in() { [ "$(psql -X -q -At -d $db -c "select count(*) from pgq.event_$(psql -X -q -At -d $db -c "select queue_id from pgq.queue where queue_name = 'gone'")")" = 3 ]; }
wait_for 60 "three lines committed while the input is open" three_in
psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "select pgq.drop_queue('gone')" >/dev/null
printf 'payload-00004\n' >&3
rc=0
wait $gone_pid || rc=$?
exec 3>&-
[ $rc -eq 1 ] || fail "queue dropped: exit $rc; stderr: $(cat "$work/gone.err")"
[ "$(wc -l <"$work/gone.err")" -eq 1 ] || fail "queue dropped: not one line: $(cat "$work/gone.err")"
grep -qE '^pgqpp produce: .*; lines 1–3 inserted; resend from line 4$' "$work/gone.err" ||
  fail "queue dropped: $(cat "$work/gone.err")"
echo "a server error no line caused: lines 1-3 inserted, resend from line 4"

# --- PgQ 3.5: the same answers through pgq.insert_event ---
input "$work/in" plain 1700 1200 nul
check ${db}_pgq35 1200 'a NUL byte at byte 14, which PostgreSQL text cannot store' --batch-size 500
for n in 1001 1200; do
  input "$work/in" plain 1700 $n utf8
  check ${db}_pgq35 $n "$utf8_reason" --batch-size 500
done
input "$work/in" json 1700 1200 json_nul
check ${db}_pgq35 1200 '"data" contains a NUL character .*' --json --batch-size 500
echo "PgQ 3.5: the same lines named and kept"
echo "cli_produce_bad_input: ok"
