# SPDX-License-Identifier: PostgreSQL
# Throwaway PostgreSQL clusters for tests, demo and benchmarks. Source it.
#
# pgqpp is never installed into the system's PostgreSQL for tests: a staged
# copy of the server (its binary copied, everything else linked) finds its
# share and lib directories relative to itself, and those hold pgqpp's build
# output next to everything Debian installed (PgQ 3.5 included). This works
# as root and as an ordinary user alike, and leaves the system untouched.
#
# As root the server runs as the `postgres` user (initdb refuses root), and
# every file it reads lives in a temporary directory that user can read.

# PG_CONFIG names the PostgreSQL to use (the Makefile sets it for PG=17 or
# PG=18, from scripts/pg-major.sh); its programs (pg_config, psql, pgbench,
# pg_dump) then come first on the PATH for every script and tool below.
case "${PG_CONFIG:-}" in
  */*) case ":$PATH:" in *":$(dirname "$PG_CONFIG"):"*) ;; *) PATH="$(dirname "$PG_CONFIG"):$PATH" ;; esac
       export PATH PG_CONFIG ;;
esac

PG_BINDIR=${PG_BINDIR:-$(pg_config --bindir)}
PG_SHAREDIR=${PG_SHAREDIR:-$(pg_config --sharedir)}
PG_PKGLIBDIR=${PG_PKGLIBDIR:-$(pg_config --pkglibdir)}

# The reference PgQ the compatibility tests and benchmarks compare with:
# Debian 12's PgQ 3.5 for PostgreSQL 15, and PgQ 3.5.1 (Debian sid's
# sources, built by scripts/pg-major.sh) for 17 and 18. is_pgq35 VERSION is
# true for either; pgq35_version prints the one the server's files hold.
is_pgq35() { case "$1" in 3.5 | 3.5.*) return 0 ;; esac; return 1; }
pgq35_version() {
  sed -n "s/^default_version = '\(3\.5[.0-9]*\)'.*/\1/p" "$(pg_config --sharedir)/extension/pgq.control" 2>/dev/null
}

# Runs a command as the cluster's owner.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A TCP port nobody listens on.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# is_pgqpp_file PATH: true for the files a system-wide pgqpp install puts
# into PostgreSQL's folders (pgqpp.so, pgqpp.control, pgqpp--*.sql).
is_pgqpp_file() {
  case "$(basename "$1")" in pgqpp.so | pgqpp_bridge_test.so | pgqpp.control | pgqpp--*.sql) return 0 ;; esac
  return 1
}

# pg_stage STAGE_DIR BUILD_DIR: a relocated server installation at STAGE_DIR
# whose extension and library directories also hold pgqpp's build output;
# with BUILD_DIR empty, a server without any pgqpp files. A pgqpp installed
# into the system's PostgreSQL is never seen by the staged server: the tests
# run the build, whether or not pgqpp is installed system-wide.
pg_stage() {
  local stage=$1 build=$2
  local bin_rel=${PG_BINDIR#/} share_rel=${PG_SHAREDIR#/} lib_rel=${PG_PKGLIBDIR#/}
  mkdir -p "$stage/$bin_rel" "$stage/$share_rel/extension" "$stage/$lib_rel"
  cp "$PG_BINDIR/postgres" "$stage/$bin_rel/postgres"
  local f
  for f in "$PG_PKGLIBDIR"/*; do is_pgqpp_file "$f" || ln -sf "$f" "$stage/$lib_rel/"; done
  # A server built elsewhere (PG=17, PG=18) finds its shared libraries
  # through RUNPATH $ORIGIN/../lib, beside the bin folder it was copied to.
  local libs=${PG_BINDIR%/bin}/lib
  if [ "$libs" != "$PG_PKGLIBDIR" ] && [ -d "$libs" ]; then
    mkdir -p "$stage/${libs#/}"
    for f in "$libs"/*.so*; do [ -e "$f" ] && ln -sf "$f" "$stage/${libs#/}/"; done
  fi
  for f in "$PG_SHAREDIR"/*; do
    [ "$(basename "$f")" = extension ] || ln -sf "$f" "$stage/$share_rel/"
  done
  for f in "$PG_SHAREDIR"/extension/*; do is_pgqpp_file "$f" || ln -sf "$f" "$stage/$share_rel/extension/"; done
  if [ -n "$build" ]; then
    # --remove-destination: the staged folders hold links to the system's
    # files; copying onto a link would overwrite the system file behind it.
    cp --remove-destination "$build"/extension/pgqpp.so "$build"/extension/pgqpp_bridge_test.so "$stage/$lib_rel/"
    cp --remove-destination "$build"/extension/*.control "$build"/extension/*--*.sql "$stage/$share_rel/extension/"
  fi
  chmod -R a+rX "$stage"
  PG_STAGED_POSTGRES="$stage/$bin_rel/postgres"
  PG_STAGED_LIBDIR="$stage/$lib_rel"
  export PG_STAGED_POSTGRES PG_STAGED_LIBDIR
}

# pg_initdb DATA_DIR: a new cluster (trust, user postgres, UTF8) owned by the
# cluster's owner; its log goes next to DATA_DIR.
pg_initdb() {
  local data=$1 dir
  dir=$(dirname "$data")
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
  as_pg_owner "$PG_BINDIR/initdb" -D "$data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
}

# pg_start DATA_DIR PORT [postgres -c options...]: initdb and start a cluster
# of the staged server (pg_run).
pg_start() {
  pg_initdb "$1" || return 1
  pg_run "$@"
}

# pg_run DATA_DIR PORT [postgres -c options...]: start the cluster already in
# DATA_DIR (initdb's, or a base backup's) with the staged server, listening on
# 127.0.0.1:PORT and a socket in DATA_DIR/..; its log goes next to DATA_DIR.
pg_run() {
  local data=$1 port=$2
  shift 2
  local dir
  dir=$(dirname "$data")
  local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=120"
  local o
  for o in "$@"; do opts="$opts $o"; done
  as_pg_owner "$PG_BINDIR/pg_ctl" -D "$data" -p "$PG_STAGED_POSTGRES" -o "$opts" \
    -l "$dir/server.log" -w -t 60 start >/dev/null ||
    { cat "$dir/server.log" >&2; return 1; }
}

# pg_base_backup DATA_DIR PORT: a base backup of the cluster listening on
# 127.0.0.1:PORT into DATA_DIR, owned by the cluster's owner and set up as its
# streaming standby (pg_basebackup -R, after a fast checkpoint); pg_run
# starts it.
pg_base_backup() {
  local dir
  dir=$(dirname "$1")
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
  as_pg_owner "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$2" -U postgres -D "$1" -R -X stream -c fast >/dev/null
}

# pg_stop DATA_DIR: immediate stop, ignoring a server that is already gone.
pg_stop() {
  as_pg_owner "$PG_BINDIR/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true
}

# pg_restart DATA_DIR: stop and start again with the same options.
pg_restart() {
  as_pg_owner "$PG_BINDIR/pg_ctl" -D "$1" -m fast -w -t 60 restart >/dev/null
}

# pg_crash_restart DATA_DIR SECONDS: stops the server as a crash would
# (immediate shutdown: no checkpoint, every backend gone at once), waits
# SECONDS, and starts it again with its old options (pg_ctl restart reads
# postmaster.opts); the start runs crash recovery.
pg_crash_restart() {
  local dir
  dir=$(dirname "$1")
  as_pg_owner "$PG_BINDIR/pg_ctl" -D "$1" -m immediate -w stop >/dev/null
  sleep "$2"
  as_pg_owner "$PG_BINDIR/pg_ctl" -D "$1" -l "$dir/server.log" -w -t 60 restart >/dev/null 2>&1
}

# pg_log_size DATA_DIR: the size in bytes of the server log (0 if none yet),
# the offset to give pg_crashed to look only at what comes after.
pg_log_size() {
  stat -c %s "$(dirname "$1")/server.log" 2>/dev/null || echo 0
}

# pg_crashed DATA_DIR [FROM_BYTE]: true if the server log, from FROM_BYTE on
# (default: the whole log), shows a crashed backend; prints those lines.
pg_crashed() {
  tail -c +"$((${2:-0} + 1))" "$(dirname "$1")/server.log" 2>/dev/null |
    grep -E "terminated by signal|was terminated by exception"
}
