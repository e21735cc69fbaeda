# SPDX-License-Identifier: PostgreSQL
# PgBouncer in front of a test cluster, for tests and benchmarks that show
# what works through a connection pooler. Source it after cluster.sh.

# pgbouncer_start DIR PG_PORT: starts Debian's pgbouncer in transaction
# pooling (pool_mode = transaction, the way most production PostgreSQL is
# reached) on a free port in front of the cluster at 127.0.0.1:PG_PORT,
# trusting every user, with its config, log and pid file in DIR (created).
# Sets PGBOUNCER_PORT. Runs as the cluster's owner (pgbouncer refuses root).
# A missing pgbouncer is an error (scripts/install-deps.sh installs it).
pgbouncer_start() {
  local dir=$1 pg_port=$2 bin
  bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  [ -x "$bin" ] || { echo "pgbouncer is not installed (scripts/install-deps.sh)" >&2; return 1; }
  mkdir -p "$dir"
  PGBOUNCER_PORT=$(free_port)
  printf '"postgres" ""\n' >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
ignore_startup_parameters = extra_float_digits
admin_users = postgres
INI
  chmod -R a+rwX "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$dir"; fi
  as_pg_owner "$bin" -d -q "$dir/pgbouncer.ini" || { cat "$dir/pgbouncer.log" >&2; return 1; }
  local end=$((SECONDS + 10))
  until psql -X -q -At -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d postgres -c "select 1" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { echo "pgbouncer did not start" >&2; cat "$dir/pgbouncer.log" >&2; return 1; }
    sleep 0.1
  done
  export PGBOUNCER_PORT
}

# pgbouncer_stop DIR: stops the pgbouncer started with DIR, if it runs.
pgbouncer_stop() {
  local pid
  pid=$(cat "$1/pgbouncer.pid" 2>/dev/null) || return 0
  kill -INT "$pid" 2>/dev/null || true
}
