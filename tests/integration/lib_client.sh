#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# libpgqpp against pgqpp: producer (own and caller's transactions, bulk),
# consumer (batches, streaming by COPY and cursor, retry tags, batch limits,
# tick wake-ups, both stop kinds, signals, reconnects inside a batch),
# exactly-once consumer (crash at each step), errors, and consumer processes
# killed with SIGKILL inside a batch. The tests are the GoogleTest binary
# lib/tests/pgqpp_lib_integration_tests (sources in lib/tests/integration/);
# it creates and drops its own databases.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_BUILD_DIR.
set -euo pipefail
bin="${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/lib/tests/pgqpp_lib_integration_tests"
[ -x "$bin" ] || { echo "FAIL: $bin is not built" >&2; exit 1; }
# The server restart has a script of its own (lib_server_restart.sh).
PGQPP_LIB_TEST_EXTENSION=pgqpp exec "$bin" --gtest_filter='-ServerRestart*'
