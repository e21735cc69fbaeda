#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# `pgqpp produce` delivers what it has read without waiting for the end of
# its input or --batch-size (issue 18, item 3): lines that trickle in are in
# the queue while the input stays open; `pgqpp tail --consumer | pgqpp
# produce` loses nothing to Ctrl-C (SIGINT to the whole pipeline, as a
# terminal sends it): every event tail printed is in the target queue; after
# a first signal produce reads its pipe to the end (a writer finishing up
# after the signal loses nothing), and a second one stops it at once with
# "lines 1–N inserted; resend from line N+1"; on a terminal the first Ctrl-C
# stops (exit 130). An input pipe left non-blocking by its writer is waited
# on, not an error. No timing assertion: only generous waits for what must
# happen.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/cli_produce_delivery
mkdir -p "$work"
db=cli_produce_delivery
export PGDATABASE=$db
ticker_pid=
groups=()
tmux_socket=pgqpp_cli_produce_delivery_$$
fail_context() {
  local f
  for f in "$work"/*.err "$work"/*.out; do [ -s "$f" ] && { echo "--- $(basename "$f"):"; tail -5 "$f"; }; done
  return 0
}
cleanup() {
  local g
  exec 3>&- 2>/dev/null || true
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  [ -n "$ticker_pid" ] && kill "$ticker_pid" 2>/dev/null || true
  tmux -L "$tmux_socket" kill-server 2>/dev/null || true
  jobs -p | xargs -r kill 2>/dev/null || true
  drop_databases
}
trap cleanup EXIT
# data QUEUE: the queue's ev_data, sorted, one per line.
data() { q "$db" "select ev_data from pgq.event_$(q "$db" "select queue_id from pgq.queue where queue_name = '$1'") order by ev_data"; }
has_events() { [ "$(data "$1" | wc -l)" -ge "$2" ]; }
# in_own_group COMMAND: runs `bash -c COMMAND` in a new process group (the
# group a terminal's Ctrl-C signals); its id goes to $group.
in_own_group() {
  setsid bash -c "$1" &
  group=$!
  groups+=("$group")
  [ "$(ps -o pgid= -p "$group" | tr -d ' ')" = "$group" ] || fail "setsid did not make a process group"
}

fresh_databases "$db"
q "$db" "create extension pgqpp"
for queue in slow nonblock src dst drain stop term; do q "$db" "select pgq.create_queue('$queue')" >/dev/null; done
q "$db" "select pgq.register_consumer('src', 'copier')" >/dev/null

# --- lines that trickle in are inserted while the input stays open ---
mkfifo "$work/slow.fifo"
"$pgqpp" produce slow <"$work/slow.fifo" >"$work/slow.out" 2>"$work/slow.err" &
slow_pid=$!
exec 3>"$work/slow.fifo"
for i in 1 2 3; do echo "slow-$i" >&3; sleep 0.3; done
wait_for 60 "three slow lines in the queue while the input is open" has_events slow 3
[ "$(data slow | tr '\n' ' ')" = "slow-1 slow-2 slow-3 " ] || fail "slow input: $(data slow)"
kill -0 $slow_pid 2>/dev/null || fail "produce ended while its input was open"
exec 3>&-
wait_for 30 "produce to end at the end of its input" bash -c "! kill -0 $slow_pid"
wait $slow_pid || fail "produce exited $? at the end of slow input"
grep -q "^produced 3 events" "$work/slow.out" || fail "slow input summary: $(cat "$work/slow.out")"
echo "slow input (tail -f style): each line inserted while the input stays open"

# --- an input left non-blocking by its writer: waits, does not fail ---
python3 - "$pgqpp" <<'PY' || fail "produce from a non-blocking pipe"
import os, subprocess, sys, time
r, w = os.pipe()
os.set_blocking(r, False)
p = subprocess.Popen([sys.argv[1], "produce", "nonblock"], stdin=r,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(r)
for i in range(3):
    os.write(w, b"nb-%d\n" % i)
    time.sleep(0.3)
os.close(w)
out, err = p.communicate(timeout=120)
if p.returncode != 0 or not out.startswith(b"produced 3 events"):
    sys.exit("exit %d, stdout %r, stderr %r" % (p.returncode, out, err))
PY
[ "$(data nonblock | tr '\n' ' ')" = "nb-0 nb-1 nb-2 " ] || fail "non-blocking input: $(data nonblock)"
echo "a non-blocking input pipe: read as it comes"

# --- tail --consumer | produce, Ctrl-C: every event tail printed is copied ---
"$pgqpp" ticker -q --syslog 0 --database $db --logfile "$work/ticker.log" &
ticker_pid=$!
wait_for 30 "the ticker serving $db" grep -q "serving" "$work/ticker.log"
in_own_group "'$pgqpp' tail src --consumer copier --json 2>'$work/tail.err' | tee -i '$work/printed.jsonl' |
  '$pgqpp' produce dst --json >'$work/copy.out' 2>'$work/copy.err'; echo \$? >'$work/copy.rc'"
copy_group=$group
# tail's consumer is the one reading: wait until it holds no batch, then insert.
q "$db" "select pgq.insert_event('src', 'copy', 'copy-' || i) from generate_series(1, 10) i" >/dev/null
caught_up() {
  [ "$(wc -l <"$work/printed.jsonl")" -ge 10 ] &&
    [ "$(q "$db" "select pending_events = 0 and current_batch is null from pgq.get_consumer_info('src', 'copier')")" = t ]
}
wait_for 60 "tail to print and finish the batch of 10 events" caught_up
kill -INT -- "-$copy_group"
wait_for 60 "the pipeline to end after SIGINT" test -s "$work/copy.rc"
[ "$(cat "$work/copy.rc")" = 0 ] || fail "produce exited $(cat "$work/copy.rc") after SIGINT: $(cat "$work/copy.err")"
printed=$(grep -o '"data":"copy-[0-9]*"' "$work/printed.jsonl" | cut -d'"' -f4 | sort)
[ "$(echo "$printed" | wc -l)" -eq 10 ] || fail "tail printed: $printed"
[ "$(data dst)" = "$printed" ] || fail "copied after Ctrl-C: $(data dst | tr '\n' ' '); tail printed: $(echo "$printed" | tr '\n' ' ')"
echo "tail --consumer | produce, Ctrl-C: all 10 events tail printed are in the target queue"

# --- first signal: the writer's last words after it are still inserted ---
cat >"$work/writer.py" <<'PY'
import signal, sys, time
def finish(*_):  # like tail finishing its batch after Ctrl-C
    for i in range(101, 111):
        print("line-%03d" % i)
    sys.exit(0)
signal.signal(signal.SIGINT, finish)
for i in range(1, 101):
    print("line-%03d" % i)
sys.stdout.flush()
open(sys.argv[1], "w").close()
while True:
    time.sleep(0.1)
PY
in_own_group "python3 '$work/writer.py' '$work/writer.ready' | '$pgqpp' produce drain >'$work/drain.out' 2>'$work/drain.err'; echo \$? >'$work/drain.rc'"
drain_group=$group
wait_for 30 "the writer to write its first 100 lines" test -e "$work/writer.ready"
kill -INT -- "-$drain_group"
wait_for 60 "the drain pipeline to end" test -s "$work/drain.rc"
[ "$(cat "$work/drain.rc")" = 0 ] || fail "produce exited $(cat "$work/drain.rc"): $(cat "$work/drain.err")"
[ "$(data drain | wc -l)" = 110 ] || fail "after SIGINT: $(data drain | wc -l) events, expected 110"
[ "$(data drain | tail -1)" = line-110 ] || fail "the lines written after SIGINT are missing"
grep -q "^pgqpp produce: SIGINT: inserting the rest of the input until it ends" "$work/drain.err" ||
  fail "no note about the signal: $(cat "$work/drain.err")"
echo "first SIGINT: produce reads its pipe to the end; lines written after the signal inserted"

# --- second signal: stop at once, commit what was read, say where to resume ---
mkfifo "$work/stop.fifo"
"$pgqpp" produce stop <"$work/stop.fifo" >"$work/stop.out" 2>"$work/stop.err" &
stop_pid=$!
exec 3>"$work/stop.fifo"
seq 5 >&3
wait_for 60 "five lines in the queue" has_events stop 5
kill -TERM $stop_pid
wait_for 30 "the note about SIGTERM" grep -q "SIGTERM: inserting the rest" "$work/stop.err"
seq 6 7 >&3
wait_for 60 "lines 6 and 7, sent after the first SIGTERM" has_events stop 7
kill -0 $stop_pid 2>/dev/null || fail "produce ended after one SIGTERM while its input was open"
kill -TERM $stop_pid
rc=0
wait $stop_pid || rc=$?
exec 3>&-
[ $rc -eq 143 ] || fail "after two SIGTERMs: exit $rc, expected 143"
grep -qx "pgqpp produce: stopped by SIGTERM: lines 1–7 inserted; resend from line 8" "$work/stop.err" ||
  fail "second SIGTERM: $(cat "$work/stop.err")"
[ "$(data stop | wc -l)" = 7 ] || fail "second SIGTERM: $(data stop | wc -l) events"
echo "second signal: stops at once, lines 1-7 inserted, resend from line 8"

# --- on a terminal (tmux): the first Ctrl-C stops, after committing what was typed ---
command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps.sh installs it)"
tmux -L "$tmux_socket" new-session -d -s term -x 160 -y 20 \
  "'$pgqpp' produce term 2>'$work/term.err'; echo \$? >'$work/term.rc'; sleep 60"
wait_for 30 "produce's terminal banner" grep -q "reading events from the terminal" "$work/term.err"
tmux -L "$tmux_socket" send-keys -t term 'typed-1' Enter 'typed-2' Enter
wait_for 60 "the two typed lines in the queue" has_events term 2
tmux -L "$tmux_socket" send-keys -t term C-c
wait_for 30 "produce to end after Ctrl-C on the terminal" test -s "$work/term.rc"
[ "$(cat "$work/term.rc")" = 130 ] || fail "Ctrl-C on the terminal: exit $(cat "$work/term.rc"): $(cat "$work/term.err")"
grep -qx "pgqpp produce: stopped by SIGINT: lines 1–2 inserted; resend from line 3" "$work/term.err" ||
  fail "Ctrl-C on the terminal: $(cat "$work/term.err")"
[ "$(data term | tr '\n' ' ')" = "typed-1 typed-2 " ] || fail "typed lines: $(data term)"
echo "terminal: the first Ctrl-C stops, typed lines inserted, exit 130"
echo "cli_produce_delivery: ok"
