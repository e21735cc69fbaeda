#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The build option EXTENSION_NAME=pgq installs the same extension under the
# name `pgq`, so that add-ons whose control files say `requires = 'pgq'` run
# on pgqpp: here Debian's pgq_node (cascaded queues) creates a node on it.
# Cooperative consumers (schema pgq_coop) are then their own extension
# pgq_coop (requires pgq), as in PgQ, not part of extension pgq.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/testlib.sh"
work=$PGQPP_TEST_WORK/extension_name_pgq
mkdir -p "$work"
chmod 755 "$work"

# Configure and build the extension under the name pgq, and the tool (whose
# install and demo create the extension under the build's name).
# The pgq-named build sits next to the suite's own build (build -> build-pgq),
# at the same depth, and is kept: with ccache (paths relative to the clone,
# see the Makefile) everything but the extension and the tool's own files
# comes from the cache, and a later run rebuilds only what changed.
build=${PGQPP_BUILD_DIR:-$root/build}-pgq
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$root" -B "$build" -DEXTENSION_NAME=pgq -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >"$work/cmake.log" 2>&1 ||
  { cat "$work/cmake.log"; exit 1; }
cmake --build "$build" -j 2 --target pgqpp_ext pgqpp_bridge_test pgqpp_sql pgqpp_cli >"$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; exit 1; }
test -f "$build/extension/pgq.control" || fail "no pgq.control was generated"
version=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" "$build/extension/pgq.control")
test -n "$version" || fail "pgq.control has no default_version"
test -f "$build/extension/pgq--$version.sql" || fail "no pgq--$version.sql was generated"
test ! -e "$build/extension/pgqpp.control" || fail "pgqpp.control generated under EXTENSION_NAME=pgq"
test -f "$build/extension/pgq_coop.control" || fail "no pgq_coop.control was generated"
grep -q "^requires = 'pgq'$" "$build/extension/pgq_coop.control" || fail "pgq_coop.control does not require pgq"
test -f "$build/extension/pgq_coop--$version.sql" || fail "no pgq_coop--$version.sql was generated"
for f in "$build/extension/pgq--$version.sql" "$build/extension"/pgq--*--*.sql; do
  ! grep -q "pgq_coop\." "$f" || fail "$(basename "$f") creates pgq_coop objects"
done

# A second cluster whose `pgq` is pgqpp (it replaces Debian's pgq control file
# in the staged share folder only).
pg_stage "$work/stage" "$build"
port=$(free_port)
mkdir -p "$work/cluster"
trap 'pg_stop "$work/cluster/data"' EXIT
pg_start "$work/cluster/data" "$port"
export PGPORT=$port PGDATABASE=postgres

q postgres "create extension pgq_node cascade" >/dev/null
[ "$(q postgres "select extversion from pg_extension where extname = 'pgq'")" = "$version" ] ||
  fail "extension pgq is not pgqpp's (version $(q postgres "select extversion from pg_extension where extname = 'pgq'"))"
q postgres "select 1 from pg_proc where proname = 'insert_events' and pronamespace = 'pgq'::regnamespace" | grep -q 1 ||
  fail "pgq.insert_events missing: not pgqpp"

# pgq_node on pgqpp: create a root node and move an event through its queue.
q postgres "select * from pgq_node.register_location('nodeq', 'n1', 'dbname=postgres', false)" >/dev/null
q postgres "select * from pgq_node.create_node('nodeq', 'root', 'n1', 'worker1', null, null, null)" >/dev/null
q postgres "select pgq.register_consumer('nodeq', 'reader')" >/dev/null
q postgres "select pgq.insert_event('nodeq', 'ev', 'through pgq_node')" >/dev/null
q postgres "select pgq.force_tick('nodeq')" >/dev/null
q postgres "select pgq.ticker()" >/dev/null
batch=$(q postgres "select pgq.next_batch('nodeq', 'reader')")
[ -n "$batch" ] || fail "no batch on the pgq_node queue"
got=$(q postgres "select string_agg(ev_data, ',') from pgq.get_batch_events($batch) where ev_type = 'ev'")
[ "$got" = "through pgq_node" ] || fail "unexpected batch contents: '$got'"
q postgres "select * from pgq_node.get_node_info('nodeq')" >/dev/null
echo "pgq_node runs on pgqpp installed as extension pgq"

# pgq_coop: a separate extension on top of pgq; subconsumers share batches.
[ "$(q postgres "select count(*) from pg_namespace where nspname = 'pgq_coop'")" = 0 ] ||
  fail "extension pgq created schema pgq_coop"
q postgres "create extension pgq_coop" >/dev/null
[ "$(q postgres "select pgq_coop.version()")" = "$version" ] || fail "pgq_coop.version() is not $version"
q postgres "select pgq.create_queue('coopq')" >/dev/null
q postgres "select pgq_coop.register_subconsumer('coopq', 'c', 's1')" >/dev/null
q postgres "select pgq.insert_event('coopq', 'ev', 'coop')" >/dev/null
q postgres "select pgq.force_tick('coopq')" >/dev/null
q postgres "select pgq.ticker()" >/dev/null
batch=$(q postgres "select pgq_coop.next_batch('coopq', 'c', 's1')")
[ -n "$batch" ] || fail "no batch for subconsumer s1"
[ -z "$(q postgres "select pgq_coop.next_batch('coopq', 'c', 's2')")" ] || fail "s2 got a batch too"
[ "$(q postgres "select pgq_coop.finish_batch($batch)")" = 1 ] || fail "pgq_coop.finish_batch failed"
q postgres "drop extension pgq_coop" >/dev/null
q postgres "select 1 from pg_extension where extname = 'pgq'" | grep -q 1 || fail "dropping pgq_coop dropped pgq"
echo "pgq_coop installs as its own extension on pgq"

# `pgqpp install` of this build creates extension pgq, and knows it again.
q postgres "create database inst" >/dev/null
out=$("$build/cli/pgqpp" install --dsn "host=127.0.0.1 port=$port dbname=inst")
echo "$out" | grep -q "^installed pgq [0-9.]* in database inst$" || fail "install said: $out"
echo "$out" | grep -q "^installed pgq_coop $version in database inst$" || fail "install made no pgq_coop: $out"
[ "$(psql -X -At -d inst -c "select pgq_coop.version()")" = "$version" ] || fail "pgq_coop.version() in inst"
[ "$(psql -X -At -d inst -c "select obj_description(oid, 'pg_extension') like 'pgqpp:%' from pg_extension where extname = 'pgq'")" = t ] ||
  fail "pgqpp install did not create pgqpp's extension pgq"
out=$("$build/cli/pgqpp" install --dsn "host=127.0.0.1 port=$port dbname=inst")
echo "$out" | grep -q "^pgq [0-9.]* is already installed in database inst$" || fail "second install said: $out"
echo "$out" | grep -q "^pgq_coop $version is already installed in database inst$" || fail "second install said: $out"
# A database whose pgq came first (CREATE EXTENSION pgq) gets pgq_coop too.
q postgres "create database inst2" >/dev/null
psql -X -q -d inst2 -c "create extension pgq" >/dev/null
out=$("$build/cli/pgqpp" install --dsn "host=127.0.0.1 port=$port dbname=inst2")
echo "$out" | grep -q "^installed pgq_coop $version in database inst2$" || fail "install over pgq said: $out"
echo "pgqpp install of an EXTENSION_NAME=pgq build creates and recognises extensions pgq and pgq_coop"
pg_crashed "$work/cluster/data" && fail "a backend crashed"
exit 0
