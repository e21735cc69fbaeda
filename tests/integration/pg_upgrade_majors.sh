#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# pg_upgrade from PostgreSQL 15 to 17 and to 18 of a cluster with pgqpp
# queues, consumers (one with an open batch, one with a pending retry),
# ticked and unticked unconsumed events (issue 22 item 4). Afterwards:
#   - the transaction id epoch and counter went over (txids only grow), and
#     the snapshots in pgq.tick say the same about the stored events as
#     before (txid_visible_in_snapshot, event by event);
#   - `pgqpp ticker` ticks the upgraded cluster;
#   - event by event, every committed event reaches every consumer exactly
#     once, none from a rolled-back transaction; only the batch open at the
#     upgrade is read twice.
# Each major is skipped with a NOTE when its server (scripts/pg-major.sh),
# its pg_upgrade or its pgqpp build (make build PG=N) is missing; the whole
# test runs only in the PostgreSQL 15 suite (the old cluster is a 15 one).
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGQPP_BUILD_DIR PGQPP_TEST_WORK PGQPP_SOURCE_DIR.
set -euo pipefail
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/lib/testlib.sh"
. "$root/tests/lib/cluster.sh"
pgqpp=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp
work=$(mktemp -d "${PGQPP_TEST_WORK:?}/pg_upgrade_majors.XXXXXX")
chmod 755 "$work"
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
ticker_pid=
running=()
cleanup() {
  [ -n "$ticker_pid" ] && kill -9 "$ticker_pid" 2>/dev/null || true
  local d
  for d in "${running[@]}"; do
    as_pg_owner "${d%%:*}/pg_ctl" -D "${d#*:}" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail_context() {
  local f
  for f in "$work"/*/upgrade/*.log "$work"/*/ticker.log; do [ -s "$f" ] && { echo "== $f"; tail -20 "$f"; }; done
  true
}
note() { echo "NOTE skipped: $*"; }
# skip MAJOR WHY: a major that cannot be tested is a NOTE, unless
# PGQPP_REQUIRE_UPGRADE (CI: .ci/run) names it; then it is a failure.
skip() {
  local major=$1
  shift
  case " ${PGQPP_REQUIRE_UPGRADE:-} " in
    *" $major "*) fail "pg_upgrade to $major is required (PGQPP_REQUIRE_UPGRADE) but: $*" ;;
  esac
  note "$@"
}
old_major=$(pg_config --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
[ "$old_major" = 15 ] || { note "pg_upgrade from 15 runs in the PostgreSQL 15 suite (this is $old_major)"; exit 0; }
if [ "$(id -u)" -eq 0 ]; then cache=${PGQPP_PG_CACHE:-/var/cache/pgqpp}; else cache=${PGQPP_PG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pgqpp}; fi

# The programs pg_upgrade runs from the old (-b) and the new (-B) bindir.
old_programs="postgres pg_ctl pg_controldata pg_resetwal"
new_programs="$old_programs initdb pg_dump pg_dumpall pg_restore psql vacuumdb"

# stage_major DIR PG_CONFIG BUILD PROGRAMS: a staged server (pg_stage) of
# the PostgreSQL PG_CONFIG names, with pgqpp's BUILD, whose bindir also holds
# copies of PROGRAMS (copies, not links: each finds the staged postgres, and
# the staged share and lib folders, next to itself). Prints that bindir.
stage_major() {
  local dir=$1 config=$2 build=$3 programs=$4 p
  (
    PG_BINDIR=$("$config" --bindir) PG_SHAREDIR=$("$config" --sharedir) PG_PKGLIBDIR=$("$config" --pkglibdir)
    pg_stage "$dir" "$build" >/dev/null
    for p in $programs; do
      [ "$p" = postgres ] || cp "$PG_BINDIR/$p" "$dir/${PG_BINDIR#/}/$p"
    done
    echo "$dir/${PG_BINDIR#/}"
  )
}

# attver_filter BINDIR: replaces BINDIR/pg_restore (a staged copy of the new
# major's) with a script that leaves out the column option pg_attver.
# Debian's PostgreSQL 15.20 keeps an attribute version in every column's
# attoptions ("pg_attver", a back-branch mechanism its own pg_dump knows);
# the 18.6 pg_dump that pg_upgrade runs copies it into ALTER COLUMN ... SET
# (pg_attver=N), which the 18 server rejects ("unrecognized parameter"), so
# pg_upgrade from 15.20 to 18.6 fails on any table at all, pgqpp or not.
# The script restores the same dump as SQL without that option, which is
# what a pg_dump aware of it would write.
attver_filter() {
  local bindir=$1
  mv "$bindir/pg_restore" "$bindir/pg_restore.real"
  cat >"$bindir/pg_restore" <<'SCRIPT'
#!/usr/bin/env bash
# pg_restore without the column option pg_attver (tests/integration/pg_upgrade_majors.sh).
set -euo pipefail
here=$(dirname "$0")
case "${1:-}" in -V | --version) exec "$here/pg_restore.real" "$@" ;; esac
args=() conn=() db=
while [ $# -gt 1 ]; do
  case $1 in
    --dbname) db=$2; shift ;;
    --host | --port | --username) conn+=("$1" "$2"); shift ;;
    --transaction-size=* | --exit-on-error) ;;
    *) args+=("$1") ;;
  esac
  shift
done
"$here/pg_restore.real" "${args[@]}" -f - "$1" |
  sed -E '/^ALTER TABLE ONLY .* ALTER COLUMN "[^"]*" SET \(pg_attver=[0-9]+\);$/d' |
  "$here/psql" -X -q -v ON_ERROR_STOP=1 "${conn[@]}" -d "$db"
SCRIPT
  chmod 755 "$bindir/pg_restore"
}

# knows_attver PROGRAM: true if PROGRAM knows the column option pg_attver.
knows_attver() { [ "$(strings "$1" | grep -cx pg_attver)" -gt 0 ]; }

# start_cluster BINDIR DATA PORT: starts a staged server on DATA.
start_cluster() {
  as_pg_owner "$1/pg_ctl" -D "$2" -l "$(dirname "$2")/server.log" -w -t 60 \
    -o "-p $3 -k $(dirname "$2") -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null ||
    { cat "$(dirname "$2")/server.log" >&2; fail "cannot start the server in $2"; }
  running+=("$1:$2")
}
stop_cluster() {
  as_pg_owner "$1/pg_ctl" -D "$2" -m fast -w stop >/dev/null
  local keep=() r
  for r in "${running[@]}"; do [ "$r" = "$1:$2" ] || keep+=("$r"); done
  running=("${keep[@]}")
}

# The old cluster's workload; `produced` and `got` are tables of the
# database itself, so they go through pg_upgrade with the queue.
workload_sql() {
  cat <<'SQL'
create extension pgqpp;
create table produced (ev_data text primary key);
create table got (n bigserial, consumer text, batch_id bigint, ev_data text, ev_retry int);
create function produce(i_from int, i_to int) returns void language sql as $$
  select pgq.insert_event('q', 'e', 'e' || i) from generate_series(i_from, i_to) i;
  insert into produced select 'e' || i from generate_series(i_from, i_to) i;
$$;
create function tick() returns bigint language plpgsql as $$
begin
  perform pgq.force_tick('q');
  return pgq.ticker('q');
end $$;
-- One batch of CONSUMER into got; finished unless i_open. Returns the
-- batch id (null: none ready).
create function consume(i_consumer text, i_open bool default false) returns bigint language plpgsql as $$
declare b bigint;
begin
  b := pgq.next_batch('q', i_consumer);
  if b is null then return null; end if;
  insert into got (consumer, batch_id, ev_data, ev_retry)
    select i_consumer, b, ev_data, ev_retry from pgq.get_batch_events(b) order by ev_id;
  if not i_open then perform pgq.finish_batch(b); end if;
  return b;
end $$;
select pgq.create_queue('q');
select pgq.register_consumer('q', c) from unnest(array['c_open', 'c_half', 'c_none', 'c_retry']) c;
SQL
  local i
  for i in $(seq 0 19); do echo "select produce($((i * 500 + 1)), $((i * 500 + 500)));"; done
  cat <<'SQL'
begin; select produce(100001, 100010); rollback;
select tick();
select produce(10001, 10100);
select tick();
select consume('c_half');
select consume('c_open');
select consume('c_open', true);
-- c_retry puts every 1000th event of its first batch aside, due at once.
select pgq.next_batch('q', 'c_retry') as b \gset
insert into got (consumer, batch_id, ev_data, ev_retry)
  select 'c_retry', :b, ev_data, ev_retry from pgq.get_batch_events(:b)
   where substr(ev_data, 2)::int % 1000 <> 0;
select pgq.event_retry(:b, ev_id, 0) from pgq.get_batch_events(:b) where substr(ev_data, 2)::int % 1000 = 0;
select pgq.finish_batch(:b);
select produce(10101, 10200);
begin; select produce(100011, 100020); rollback;
SQL
}

# The stored events as the newest tick's snapshot sees them.
visibility_sql="select count(*) filter (where txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot)),
                       count(*) filter (where not txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot)),
                       md5(string_agg(e.ev_id || ':' || txid_visible_in_snapshot(e.ev_txid, t.tick_snapshot), ',' order by e.ev_id))
                  from pgq.event_1 e, (select tick_snapshot from pgq.tick order by tick_id desc limit 1) t"
state_sql="select queue_name, consumer_name, last_tick, current_batch, next_tick, pending_events
             from pgq.get_consumer_info() order by 2;
           select count(*) from pgq.retry_queue;
           select extversion from pg_extension where extname = 'pgqpp'"

upgrade_to() {
  local major=$1 t0=$SECONDS
  local config=$cache/pg$major/bin/pg_config build=$root/build-pg$major
  [ -e "$cache/pg$major/.complete" ] && [ -x "$config" ] ||
    { skip "$major" "PostgreSQL $major is not prepared ($cache/pg$major; scripts/pg-major.sh $major)"; return 0; }
  local new_bindir
  new_bindir=$("$config" --bindir)
  local p missing=""
  for p in pg_upgrade $new_programs; do
    [ -x "$new_bindir/$p" ] && [ ! -L "$new_bindir/$p" ] || missing="$missing $p"
  done
  [ -z "$missing" ] || {
    skip "$major" "PostgreSQL $major ($new_bindir) lacks programs of its own that pg_upgrade needs:$missing" \
      "(pg_upgrade only upgrades to its own major, and its new bindir must hold that major's programs)"
    return 0
  }
  [ -e "$build/extension/pgqpp.so" ] && [ -e "$build/extension/pgqpp_bridge_test.so" ] || { skip "$major" "pgqpp is not built for PostgreSQL $major (make build PG=$major)"; return 0; }
  local want have
  want=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$PGQPP_BUILD_DIR/extension/pgqpp.control")
  have=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$build/extension/pgqpp.control")
  [ "$want" = "$have" ] || { skip "$major" "$build is pgqpp $have, this build is $want (make build PG=$major)"; return 0; }

  local dir=$work/pg$major
  mkdir -p "$dir/old" "$dir/new" "$dir/upgrade"
  chmod -R 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
  local old_bin new_bin
  old_bin=$(stage_major "$dir/stage15" "$(pg_config --bindir)/pg_config" "$PGQPP_BUILD_DIR" "$old_programs")
  new_bin=$(stage_major "$dir/stage$major" "$config" "$build" "$new_programs")
  if knows_attver "$(pg_config --bindir)/postgres" && ! knows_attver "$new_bin/pg_dump"; then
    attver_filter "$new_bin"
    echo "PostgreSQL 15's columns carry pg_attver, which $major's pg_dump copies as a column option: filtered out"
  fi
  local old_port new_port
  old_port=$(free_port)
  pg_initdb "$dir/old/data"
  # Transaction ids in epoch 3, so that keeping the epoch is visible.
  as_pg_owner "$old_bin/pg_resetwal" -e 3 "$dir/old/data" >/dev/null
  start_cluster "$old_bin" "$dir/old/data" "$old_port"
  local db="host=127.0.0.1 port=$old_port user=postgres dbname=postgres"
  workload_sql | q "$db" >/dev/null
  q "$db" "$state_sql" >"$dir/state.before"
  q "$db" "$visibility_sql" >"$dir/visibility.before"
  local txid_before
  txid_before=$(q "$db" "select txid_snapshot_xmax(txid_current_snapshot())")
  echo "PostgreSQL 15 cluster ready (txid $txid_before); consumers:"
  sed 's/^/  /' "$dir/state.before"
  stop_cluster "$old_bin" "$dir/old/data"

  # The new cluster as pg_upgrade wants it: same locale and encoding, and
  # 18's default data checksums off like 15's.
  local checksums=""
  [ "$major" -ge 18 ] && checksums=--no-data-checksums
  # shellcheck disable=SC2086  # an optional flag
  as_pg_owner "$new_bin/initdb" -D "$dir/new/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
    $checksums >"$dir/new/initdb.log" 2>&1 || { cat "$dir/new/initdb.log" >&2; fail "initdb $major failed"; }
  local t1=$SECONDS
  (cd "$dir/upgrade" && as_pg_owner "$new_bindir/pg_upgrade" -b "$old_bin" -B "$new_bin" \
    -d "$dir/old/data" -D "$dir/new/data" -U postgres -p "$(free_port)" -P "$(free_port)" \
    --no-sync >"$dir/upgrade/pg_upgrade.out" 2>&1) ||
    { tail -30 "$dir/upgrade/pg_upgrade.out" >&2; cat "$dir"/new/data/pg_upgrade_output.d/*/log/*.log >&2 2>/dev/null || true
      fail "pg_upgrade 15 -> $major failed"; }
  local upgrade_seconds=$((SECONDS - t1))
  new_port=$(free_port)
  start_cluster "$new_bin" "$dir/new/data" "$new_port"
  db="host=127.0.0.1 port=$new_port user=postgres dbname=postgres"
  expect_eq "server after pg_upgrade" "$(q "$db" "show server_version_num" | cut -c1-2)" "$major"
  q "$db" "$state_sql" >"$dir/state.after"
  diff -u "$dir/state.before" "$dir/state.after" >&2 || fail "consumers or retries changed across pg_upgrade to $major"
  q "$db" "$visibility_sql" >"$dir/visibility.after"
  diff -u "$dir/visibility.before" "$dir/visibility.after" >&2 ||
    fail "the tick snapshots see the stored events differently after pg_upgrade to $major"
  local txid_after
  txid_after=$(q "$db" "select txid_current()")
  [ "$txid_after" -ge "$txid_before" ] || fail "txids went back across pg_upgrade: $txid_before -> $txid_after"
  [ $((txid_before >> 32)) -eq 3 ] || fail "the old cluster's txids are not in epoch 3: $txid_before"
  [ $((txid_after >> 32)) -eq 3 ] || fail "the xid epoch changed across pg_upgrade: $txid_before -> $txid_after"
  expect_eq "ticks ahead of the txids" \
    "$(q "$db" "select count(*) from pgq.tick where txid_snapshot_xmax(tick_snapshot) > txid_snapshot_xmax(txid_current_snapshot())")" 0
  echo "pg_upgrade 15 -> $major took ${upgrade_seconds}s; txid $txid_before -> $txid_after (epoch 3 kept)," \
    "consumers, retries and the snapshots' view of $(cut -d'|' -f1,2 --output-delimiter=+ "$dir/visibility.after") events unchanged"

  # Work after the upgrade: new events, a rolled-back transaction, and the
  # ticker (with ticker_max_lag 0 it ticks as soon as events wait).
  q "$db" "select pgq.set_queue_config('q', 'ticker_max_lag', '0')" \
    "select produce(10201, 10300)" "begin" "select produce(100021, 100030)" "rollback" >/dev/null
  local ticks_before
  ticks_before=$(q "$db" "select max(tick_id) from pgq.tick")
  PGHOST=127.0.0.1 PGPORT=$new_port PGUSER=postgres "$pgqpp" ticker -q --syslog 0 --logfile "$dir/ticker.log" \
    --database postgres --ticker-period 0.1 >/dev/null 2>&1 &
  ticker_pid=$!
  ticked() { [ "$(q "$db" "select max(tick_id) from pgq.tick")" -gt "$ticks_before" ]; }
  wait_for 30 "a tick by pgqpp ticker on PostgreSQL $major" ticked
  kill -TERM "$ticker_pid"
  wait "$ticker_pid" || fail "the ticker exited with $? on SIGTERM"
  ticker_pid=
  q "$db" "select pgq.maint_retry_events()" "select tick()" >/dev/null
  local c
  for c in c_open c_half c_none c_retry; do
    while [ -n "$(q "$db" "select consume('$c')")" ]; do :; done
  done
  # Every committed event once per consumer; c_open's open batch twice; a
  # retried event once more for c_retry (with ev_retry = 1).
  local open_batch
  open_batch=$(grep '^q|c_open|' "$dir/state.before" | cut -d'|' -f4)
  q "$db" "with expected as (
          select c, p.ev_data,
                 case when c = 'c_open' and p.ev_data in
                        (select ev_data from got where consumer = 'c_open' and batch_id = $open_batch)
                      then 2 else 1 end as n
            from produced p, unnest(array['c_open', 'c_half', 'c_none', 'c_retry']) c),
        delivered as (select consumer c, ev_data, count(*) n from got group by 1, 2)
        select coalesce(e.c, d.c) || ' ' || coalesce(e.ev_data, d.ev_data) || ': want ' ||
               coalesce(e.n, 0) || ', got ' || coalesce(d.n, 0)
          from expected e full join delivered d using (c, ev_data)
         where e.n is distinct from d.n" >"$dir/mismatch"
  [ -s "$dir/mismatch" ] && fail "after pg_upgrade to $major, not exactly once: $(head -20 "$dir/mismatch" | tr '\n' ';')"
  expect_eq "c_retry's retried events" "$(q "$db" "select count(*) from got where consumer = 'c_retry' and ev_retry = 1")" 10
  expect_eq "c_open's open batch, read before and after the upgrade" \
    "$(q "$db" "select count(*) = 2 * count(distinct ev_data) and count(*) > 0 from got where consumer = 'c_open' and batch_id = $open_batch")" t
  echo "ok: 15 -> $major: $(q "$db" "select count(*) from produced") committed events, each delivered to 4 consumers" \
    "exactly once (c_open's open batch $open_batch re-read), ticker ticking; $((SECONDS - t0))s in all"
  stop_cluster "$new_bin" "$dir/new/data"
}
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }

for major in 17 18; do upgrade_to "$major"; done
