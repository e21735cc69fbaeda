#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The shared test cluster of a ctest run (tests/CMakeLists.txt registers it
# as the fixture `cluster`):
#
#   fixture.sh up ENV_FILE BUILD_DIR SOURCE_DIR PG_CONFIG
#       stages the server with the build's extension (tests/lib/cluster.sh),
#       starts one cluster with pgqpp preloaded and writes ENV_FILE, the
#       variables every test gets (tests/harness/run.sh sources it);
#   fixture.sh down ENV_FILE
#       stops that cluster and removes its work folder (kept, and named,
#       when KEEP_TEST_WORK is set).
set -uo pipefail

action=$1 env_file=$2

# glibc fills memory with this byte when it is freed (and with its
# complement when it is allocated), in the test cluster's server and, through
# the env file, in every test: a read of freed memory, such as a function's
# result formed in SPI's memory context that SPI_finish frees, then fails at
# once instead of when the memory happens to be reused.
export MALLOC_PERTURB_=165

# down: also run by `up` for a cluster an interrupted run left behind.
down() {
  [ -f "$env_file" ] || return 0
  # shellcheck disable=SC1090  # written by `up`
  . "$env_file"
  . "$PGQPP_SOURCE_DIR/tests/lib/cluster.sh"
  [ -z "$PGQPP_TEST_DATA" ] || pg_stop "$PGQPP_TEST_DATA"
  if [ -z "${KEEP_TEST_WORK:-}" ]; then rm -rf "$PGQPP_TEST_WORK"; else echo "kept $PGQPP_TEST_WORK"; fi
  rm -f "$env_file"
}

up() {
  local build=$1 source=$2
  export PG_CONFIG=$3
  (down)
  . "$source/tests/lib/cluster.sh"
  echo "testing against PostgreSQL $("$PG_BINDIR/postgres" --version | sed 's/^postgres (PostgreSQL) //') ($PG_BINDIR)"
  local work
  work=$(mktemp -d /tmp/pgqpp-test.XXXXXX)
  chmod 755 "$work"
  # Written first, so that `down` finds the folder whatever fails below.
  write_env "$work" "$build" "$source" "" ""
  pg_stage "$work/stage" "$build" || { echo "staging the server failed" >&2; return 1; }
  local port data="$work/main/data"
  port=$(free_port)
  mkdir -p "$work/main"
  write_env "$work" "$build" "$source" "$data" "$port"
  # The production setup: pgqpp preloaded, so that the wake-up path is on.
  pg_start "$data" "$port" "-c shared_preload_libraries=pgqpp" || { echo "cannot start the test cluster" >&2; return 1; }
  : >"$build/Testing/notes.log"
}

# write_env WORK BUILD SOURCE DATA PORT: the contract of every test script.
write_env() {
  mkdir -p "$(dirname "$env_file")" "$2/Testing"
  {
    printf 'export %s=%q\n' PGQPP_TEST_WORK "$1" PGQPP_BUILD_DIR "$2" PGQPP_SOURCE_DIR "$3" \
      PGQPP_TEST_DATA "$4" PGHOST 127.0.0.1 PGPORT "$5" PGUSER postgres PGDATABASE postgres \
      PG_CONFIG "$PG_CONFIG" MALLOC_PERTURB_ "$MALLOC_PERTURB_" PG_STAGED_POSTGRES "${PG_STAGED_POSTGRES:-}" PG_STAGED_LIBDIR "${PG_STAGED_LIBDIR:-}"
  } >"$env_file"
}

case "$action" in
  up) shift 2; up "$@" ;;
  down) down ;;
  *) echo "usage: fixture.sh up|down ENV_FILE ..." >&2; exit 2 ;;
esac
