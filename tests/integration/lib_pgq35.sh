#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# libpgqpp against Debian's PgQ 3.5 (`create extension pgq`): the same tests
# as lib_client.sh. Without pgqpp's additions the library falls back to
# insert_event per row for bulk inserts and to polling instead of tick
# notifications; everything else is PgQ 3.5's own API.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_BUILD_DIR.
set -euo pipefail
bin="${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/lib/tests/pgqpp_lib_integration_tests"
[ -x "$bin" ] || { echo "FAIL: $bin is not built" >&2; exit 1; }
pg_sharedir=$(pg_config --sharedir)
[ -e "$pg_sharedir/extension/pgq.control" ] ||
  { echo "FAIL: PgQ 3.5 is not installed (postgresql-15-pgq3)" >&2; exit 1; }
PGQPP_LIB_TEST_EXTENSION=pgq exec "$bin" --gtest_filter='-ServerRestart*'
