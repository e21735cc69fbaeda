# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# The scene the fault test (tests/integration/fault_injection.sh) and the load
# run (bench/load.sh) both play on: a cluster of their own with pgqpp
# preloaded, a database with one queue and its registered consumers, a second
# database holding the exactly-once consumer's target table, and the ticker
# daemon's config. Source it after tests/lib/cluster.sh (and pg_stage); it
# brings tests/lib/testlib.sh (q, wait_for, fail).
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.sh"

# SCENE_EDITION (environment): pgqpp (the default) or sqlonly, the SQL-only
# edition (docs/managed.md), installed as `pgqpp install --sql-only` does on
# a cluster without pgqpp's library preloaded.
scene_edition=${SCENE_EDITION:-pgqpp}

# scene_cluster DATA_DIR [postgres -c options...]: initdb and start a cluster
# on a free port, with pgqpp preloaded unless the edition is SQL-only.
# Exports PGHOST, PGPORT, PGUSER and PGDATABASE, and sets `base`, a libpq
# connect string without a dbname.
scene_cluster() {
  local data=$1 port preload=()
  shift
  port=$(free_port)
  [ "$scene_edition" = sqlonly ] || preload=("-c shared_preload_libraries=pgqpp")
  pg_start "$data" "$port" "${preload[@]}" "$@" || return 1
  export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
  base="host=127.0.0.1 port=$port user=postgres"
}

# scene_queue DB QUEUE ROTATION CONSUMER...: databases DB and DB_target;
# in DB, pgqpp (SCENE_EDITION) with QUEUE rotating its tables every ROTATION and the
# consumers registered; in DB_target, the exactly-once target table DB_eo.
# Sets `conn` and `target`, the connect strings of the two databases.
scene_queue() {
  local db=$1 queue=$2 rotation=$3 c
  shift 3
  q postgres "create database $db" && q postgres "create database ${db}_target"
  install_queue_schema "$db" "$scene_edition"
  q "$db" "select pgq.create_queue('$queue')" >/dev/null
  q "$db" "select pgq.set_queue_config('$queue', 'rotation_period', '$rotation')" >/dev/null
  for c in "$@"; do q "$db" "select pgq.register_consumer('$queue', '$c')" >/dev/null; done
  q "${db}_target" "create table ${db}_eo (key text not null, batch_id bigint not null, ev_id bigint not null)"
  # conn and target are for the sourcing script.
  # shellcheck disable=SC2034
  conn="$base dbname=$db"
  # shellcheck disable=SC2034
  target="$base dbname=${db}_target"
}

# scene_ticker_ini FILE DB LOGFILE [KEY=VALUE...]: the ticker daemon's config
# serving DB only, logging to LOGFILE, with the extra keys given.
scene_ticker_ini() {
  local file=$1 db=$2 log=$3 kv
  shift 3
  {
    echo "[pgqd]"
    echo "base_connstr = $base"
    echo "initial_database = postgres"
    echo "database_list = $db"
    echo "logfile = $log"
    echo "syslog = 0"
    for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
  } >"$file"
}
