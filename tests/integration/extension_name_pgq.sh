#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The build option EXTENSION_NAME=pgq installs the same extension under the
# name `pgq`, so that add-ons whose control files say `requires = 'pgq'` run
# on pgqpp: here Debian's pgq_node (cascaded queues) creates a node on it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/cluster.sh"
work=$PGQPP_TEST_WORK/extension_name_pgq
mkdir -p "$work"
chmod 755 "$work"

# Configure and build the extension under the name pgq, and the tool (whose
# install and demo create the extension under the build's name).
cmake -S "$root" -B "$work/build" -DEXTENSION_NAME=pgq -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/cmake.log" 2>&1 ||
  { cat "$work/cmake.log"; exit 1; }
cmake --build "$work/build" -j 2 --target pgqpp_ext pgqpp_bridge_test pgqpp_sql pgqpp_cli >"$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; exit 1; }
test -f "$work/build/extension/pgq.control" || { echo "no pgq.control was generated"; exit 1; }
version=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" "$work/build/extension/pgq.control")
test -n "$version" || { echo "pgq.control has no default_version"; exit 1; }
test -f "$work/build/extension/pgq--$version.sql" || { echo "no pgq--$version.sql was generated"; exit 1; }
test ! -e "$work/build/extension/pgqpp.control" || { echo "pgqpp.control generated under EXTENSION_NAME=pgq"; exit 1; }

# A second cluster whose `pgq` is pgqpp (it replaces Debian's pgq control file
# in the staged share folder only).
pg_stage "$work/stage" "$work/build"
port=$(free_port)
mkdir -p "$work/cluster"
trap 'pg_stop "$work/cluster/data"' EXIT
pg_start "$work/cluster/data" "$port"
export PGPORT=$port PGDATABASE=postgres
q() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

q "create extension pgq_node cascade" >/dev/null
[ "$(q "select extversion from pg_extension where extname = 'pgq'")" = "$version" ] ||
  { echo "extension pgq is not pgqpp's (version $(q "select extversion from pg_extension where extname = 'pgq'"))"; exit 1; }
q "select 1 from pg_proc where proname = 'insert_events' and pronamespace = 'pgq'::regnamespace" | grep -q 1 ||
  { echo "pgq.insert_events missing: not pgqpp"; exit 1; }

# pgq_node on pgqpp: create a root node and move an event through its queue.
q "select * from pgq_node.register_location('nodeq', 'n1', 'dbname=postgres', false)" >/dev/null
q "select * from pgq_node.create_node('nodeq', 'root', 'n1', 'worker1', null, null, null)" >/dev/null
q "select pgq.register_consumer('nodeq', 'reader')" >/dev/null
q "select pgq.insert_event('nodeq', 'ev', 'through pgq_node')" >/dev/null
q "select pgq.force_tick('nodeq')" >/dev/null
q "select pgq.ticker()" >/dev/null
batch=$(q "select pgq.next_batch('nodeq', 'reader')")
[ -n "$batch" ] || { echo "no batch on the pgq_node queue"; exit 1; }
got=$(q "select string_agg(ev_data, ',') from pgq.get_batch_events($batch) where ev_type = 'ev'")
[ "$got" = "through pgq_node" ] || { echo "unexpected batch contents: '$got'"; exit 1; }
q "select * from pgq_node.get_node_info('nodeq')" >/dev/null
echo "pgq_node runs on pgqpp installed as extension pgq"

# `pgqpp install` of this build creates extension pgq, and knows it again.
q "create database inst" >/dev/null
out=$("$work/build/cli/pgqpp" install --dsn "host=127.0.0.1 port=$port dbname=inst")
echo "$out" | grep -q "^installed pgq [0-9.]* in database inst$" || { echo "install said: $out"; exit 1; }
[ "$(psql -X -At -d inst -c "select obj_description(oid, 'pg_extension') like 'pgqpp:%' from pg_extension where extname = 'pgq'")" = t ] ||
  { echo "pgqpp install did not create pgqpp's extension pgq"; exit 1; }
out=$("$work/build/cli/pgqpp" install --dsn "host=127.0.0.1 port=$port dbname=inst")
echo "$out" | grep -q "^pgq [0-9.]* is already installed in database inst$" || { echo "second install said: $out"; exit 1; }
echo "pgqpp install of an EXTENSION_NAME=pgq build creates and recognises extension pgq"
pg_crashed "$work/cluster/data" && { echo "a backend crashed"; exit 1; }
exit 0
