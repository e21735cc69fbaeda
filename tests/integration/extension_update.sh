#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# ALTER EXTENSION ... UPDATE from 1.0 to the current version, under both
# names (pgqpp and pgq): walks every update script <name>--A--B.sql of the
# build from 1.0 to the control file's default_version, one step at a
# time, and then
#  - the catalog is exactly a fresh install's (tests/lib/ext_catalog.sql,
#    object by object); as a control, 1.0's catalog must differ from the
#    fresh one, so the comparison can fail;
#  - the data is kept: queue, consumers, ticks, an open batch (next_batch
#    returns it again with the same events), a pending retry (it comes back
#    to its consumer only), unconsumed events; and the updated database
#    still inserts, ticks and creates queues;
#  - SECURITY DEFINER functions no longer use a caller's operator: the same
#    attack as extension/test/sql/14_search_path.sql works on 1.0 (control)
#    and fails after the update.
# 1.0's install script is assembled from extension/sql/ at the commit that
# has it (below), with that commit's concat_sql.cmake, and runs against the
# current pgqpp.so. And the SQL sources must be those recorded for the current
# version in extension/sql/updates/schema.sha256, so that a change to them
# cannot ship without a new version.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/testlib.sh"
build=${PGQPP_BUILD_DIR:-$root/build}
work=$PGQPP_TEST_WORK/extension_update
base_version=1.0
base_commit=2a43a34 # the schema of version 1.0
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"

current=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" "$build/extension/pgqpp.control")
[ -n "$current" ] || fail "no default_version in $build/extension/pgqpp.control"

# --- 1.0's sources, and the current scripts under the name pgq ---
git -C "$root" rev-parse --verify -q "$base_commit^{commit}" >/dev/null ||
  fail "commit $base_commit (version $base_version) is not in the git repository at $root"
mkdir -p "$work/v$base_version"
git -C "$root" archive "$base_commit" extension/sql extension/cmake | tar -x -C "$work/v$base_version"
# Only the SQL scripts: the module is the one of $build (same for both names).
cmake -S "$root" -B "$work/build-pgq" -DEXTENSION_NAME=pgq >"$work/cmake-pgq.log" 2>&1 ||
  { cat "$work/cmake-pgq.log"; fail "configuring the EXTENSION_NAME=pgq build"; }
cmake --build "$work/build-pgq" --target pgqpp_sql >"$work/build-pgq.log" 2>&1 ||
  { cat "$work/build-pgq.log"; fail "building the EXTENSION_NAME=pgq scripts"; }

# `make install` (cmake --install) puts the update scripts beside the
# install script.
DESTDIR="$work/destdir" cmake --install "$build/extension" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install of the extension"; }
for f in "$build"/extension/pgqpp--*.sql; do
  test -f "$work/destdir$PG_SHAREDIR/extension/$(basename "$f")" || fail "make install leaves out $(basename "$f")"
done

# --- a change to the SQL objects raises the version ---
sql_hash() { cat "$@" | grep -v '^[[:space:]]*--' | grep -v '^[[:space:]]*$' | sha256sum | cut -d' ' -f1; }
recorded_hash() { awk -v v="$1" '$1 == v { print $2 }' "$root/extension/sql/updates/schema.sha256"; }
# shellcheck disable=SC2046 # file names without spaces, in name order
base_hash=$(sql_hash $(ls "$work/v$base_version"/extension/sql/*.sql | LC_ALL=C sort))
[ "$base_hash" = "$(recorded_hash "$base_version")" ] ||
  fail "the hash of $base_version's SQL ($base_hash) is not the one recorded in extension/sql/updates/schema.sha256"
# shellcheck disable=SC2046
current_hash=$(sql_hash $(ls "$root"/extension/sql/*.sql | LC_ALL=C sort))
[ "$current_hash" = "$(recorded_hash "$current")" ] ||
  fail "extension/sql/*.sql is not the SQL of version $current (extension/sql/updates/schema.sha256):" \
    "a change to the SQL objects needs a new PGQPP_EXT_VERSION, an update script" \
    "sql/updates/$current--<new>.sql and the line '<new> $current_hash' in schema.sha256"

pg_stage "$work/stage" "$build"
ext_dir="$work/stage/${PG_SHAREDIR#/}/extension"
# --remove-destination: pgq.control is a link to Debian's PgQ file.
cp --remove-destination "$work/build-pgq"/extension/pgq.control "$work/build-pgq"/extension/pgq--*.sql "$ext_dir/"
for name in pgqpp pgq; do
  parts=$(ls "$work/v$base_version"/extension/sql/*.sql | LC_ALL=C sort | paste -sd '|')
  cmake -DOUT="$work/$name--$base_version.sql" -DEXTENSION_NAME=$name "-DPARTS=$parts" \
    -P "$work/v$base_version/extension/cmake/concat_sql.cmake"
  cp --remove-destination "$work/$name--$base_version.sql" "$ext_dir/"
  ls "$ext_dir/$name--"*--*.sql >/dev/null 2>&1 || [ "$current" = "$base_version" ] ||
    fail "no update scripts $name--A--B.sql were staged"
done
chmod -R a+rX "$work/stage"

port=$(free_port)
mkdir -p "$work/cluster"
trap 'pg_stop "$work/cluster/data"' EXIT
pg_start "$work/cluster/data" "$port"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
fail_context() { tail -20 "$work/cluster/server.log"; }
catalog() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -v ext="$2" -f "$root/tests/lib/ext_catalog.sql"; }
q postgres "create role upd_attacker login"

# The steps from 1.0 to the current version, from the staged script names.
steps() {  # steps NAME: prints the versions after 1.0, in order
  local name=$1 v=$base_version next n
  while [ "$v" != "$current" ]; do
    next=$(cd "$ext_dir" && ls "$name--$v--"*.sql 2>/dev/null | sed "s/^$name--$v--\(.*\)\.sql$/\1/")
    n=$(echo "$next" | grep -c . || true)
    [ "$n" -eq 1 ] || fail "$name: $n update scripts lead from version $v (want exactly one step)"
    echo "$next"
    v=$next
  done
}

# The data every step must keep, as text: tables, events, sequences.
data_digest() { q "$1" <"$root/tests/lib/pgq_data_digest.sql"; }

# The attack of 14_search_path.sql, reduced to one operator: prints how many
# times the attacker's `=` ran as someone else.
attack() {
  local db=$1
  q "$db" "truncate public.hijack_log"
  psql -X -q -At -v ON_ERROR_STOP=1 -U upd_attacker -d "$db" >/dev/null <<'SQL'
set search_path = public, pg_catalog;
select pgq.register_consumer('hq', 'attacker');
select pgq.next_batch('hq', 'attacker');
select * from pgq.get_consumer_info('hq');
SQL
  q "$db" "select count(*) from public.hijack_log where who <> 'upd_attacker'"
}

for name in pgqpp pgq; do
  upd=upd_$name fresh=fresh_$name hj=hijack_$name
  for db in $upd $fresh $hj; do q postgres "create database $db"; done
  q "$fresh" "create extension $name"
  [ "$(q "$fresh" "select extversion from pg_extension where extname = '$name'")" = "$current" ] ||
    fail "$name: a fresh install is not version $current"
  q "$upd" "create extension $name version '$base_version'"
  q "$upd" "grant pgq_reader to upd_attacker" 2>/dev/null

  # --- data at 1.0: an open batch, a pending retry, unconsumed events ---
  q "$upd" >/dev/null <<'SQL'
select pgq.create_queue('uq');
select pgq.register_consumer('uq', 'open_c');
select pgq.register_consumer('uq', 'retry_c');
select pgq.insert_event('uq', 't', 'e' || i) from generate_series(1, 3) i;
select pgq.force_tick('uq');
select pgq.ticker();
SQL
  b1=$(q "$upd" "select pgq.next_batch('uq', 'open_c')")
  b2=$(q "$upd" "select pgq.next_batch('uq', 'retry_c')")
  [ -n "$b1" ] && [ -n "$b2" ] || fail "$name: no batches at $base_version"
  q "$upd" >/dev/null <<SQL
select pgq.event_retry($b2, ev_id, 0) from pgq.get_batch_events($b2) where ev_data = 'e2';
select pgq.finish_batch($b2);
select pgq.insert_event('uq', 't', 'e' || i) from generate_series(4, 5) i;
SQL
  b1_events=$(q "$upd" "select string_agg(ev_id || ':' || ev_data, ',' order by ev_id) from pgq.get_batch_events($b1)")
  [ "$(q "$upd" "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($b1)")" = e1,e2,e3 ] ||
    fail "$name: batch $b1 at $base_version holds $b1_events"
  [ "$(q "$upd" "select count(*) from pgq.retry_queue")" = 1 ] || fail "$name: no pending retry at $base_version"
  digest=$(data_digest "$upd")

  # --- the control: 1.0 differs from a fresh install of a later version ---
  catalog "$fresh" $name >"$work/$name-fresh.catalog"
  catalog "$upd" $name >"$work/$name-$base_version.catalog"
  grep -q '^function: ' "$work/$name-fresh.catalog" || fail "$name: the catalog lists no functions"
  if [ "$current" != "$base_version" ] && cmp -s "$work/$name-fresh.catalog" "$work/$name-$base_version.catalog"; then
    fail "$name: the catalog of $base_version equals the fresh $current one: the comparison sees nothing"
  fi

  # --- the attack works on 1.0 ---
  q "$hj" "create extension $name version '$base_version'" \
    "create table public.hijack_log (who name, what text)" \
    "grant select, insert on public.hijack_log to public" \
    "grant create on schema public to upd_attacker" \
    "select pgq.create_queue('hq')" >/dev/null
  psql -X -q -At -v ON_ERROR_STOP=1 -U upd_attacker -d "$hj" >/dev/null <<'SQL'
create function public.h_texteq(a text, b text) returns boolean language plpgsql as $$
begin
    insert into public.hijack_log values (current_user, 'text = text');
    return a operator(pg_catalog.=) b;
end $$;
create operator public.= (leftarg = text, rightarg = text, function = public.h_texteq);
SQL
  n=$(attack "$hj")
  [ "$n" -gt 0 ] || fail "$name: the search_path attack did not work on $base_version (the control)"
  q "$hj" "select pgq.unregister_consumer('hq', 'attacker')" >/dev/null

  # --- the walk, one step at a time ---
  walk=$(steps $name) || exit 1
  for v in $walk; do
    q "$upd" "alter extension $name update to '$v'"
    q "$hj" "alter extension $name update to '$v'"
    [ "$(q "$upd" "select extversion from pg_extension where extname = '$name'")" = "$v" ] ||
      fail "$name: not at version $v after its update script"
    [ "$(data_digest "$upd")" = "$digest" ] || fail "$name: the update to $v changed pgq's data"
    [ "$(q "$upd" "select pgq.next_batch('uq', 'open_c')")" = "$b1" ] ||
      fail "$name: after the update to $v, open_c's open batch is not $b1"
    echo "$name: $base_version -> $v"
  done

  # --- the catalog is a fresh install's, object by object ---
  catalog "$upd" $name >"$work/$name-updated.catalog"
  diff -u "$work/$name-fresh.catalog" "$work/$name-updated.catalog" >"$work/$name.diff" ||
    { head -80 "$work/$name.diff"; fail "$name: $base_version updated to $current differs from a fresh $current install (- fresh, + updated)"; }
  echo "$name: updated catalog = fresh catalog ($(grep -c '' "$work/$name-fresh.catalog") lines)"

  # --- the data lives on ---
  [ "$(q "$upd" "select string_agg(ev_id || ':' || ev_data, ',' order by ev_id) from pgq.get_batch_events($b1)")" = "$b1_events" ] ||
    fail "$name: batch $b1 lost events in the update"
  [ "$(q "$upd" "select pgq.maint_retry_events()")" = 1 ] || fail "$name: the pending retry did not come back"
  q "$upd" "select pgq.force_tick('uq')" "select pgq.ticker()" >/dev/null
  b3=$(q "$upd" "select pgq.next_batch('uq', 'retry_c')")
  got=$(q "$upd" "select string_agg(ev_data || ':' || coalesce(ev_retry, 0), ',' order by ev_id) from pgq.get_batch_events($b3)")
  [ "$got" = "e2:1,e4:0,e5:0" ] || fail "$name: retry_c's batch after the update holds '$got', want e2:1,e4:0,e5:0"
  q "$upd" "select pgq.finish_batch($b1)" "select pgq.finish_batch($b3)" >/dev/null
  b4=$(q "$upd" "select pgq.next_batch('uq', 'open_c')")
  got=$(q "$upd" "select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events($b4)")
  [ "$got" = "e4,e5" ] || fail "$name: open_c's next batch holds '$got', want e4,e5"
  q "$upd" >/dev/null <<'SQL'
select pgq.insert_event('uq', 't', 'after');
select pgq.create_queue('uq2');
select pgq.insert_event('uq2', 't', 'new queue');
select pgq.force_tick('uq');
select pgq.ticker();
SQL
  echo "$name: open batch, retry and unconsumed events kept"

  # --- the attack fails after the update ---
  n=$(attack "$hj")
  [ "$n" -eq 0 ] || fail "$name: after the update to $current, the attacker's operator ran $n times as the owner"
  echo "$name: the search_path attack works on $base_version and fails on $current"
done

pg_crashed "$work/cluster/data" && fail "a backend crashed"
exit 0
