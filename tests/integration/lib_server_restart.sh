#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# libpgqpp: the test cluster restarts (tests/lib/cluster.sh pg_restart) under
# a consumer that is inside a batch; it must reconnect, finish the batch
# without repeating an event, and receive events produced afterwards.
#
# Env (from the ctest fixture, tests/harness/fixture.sh): PGHOST PGPORT PGUSER PGQPP_BUILD_DIR
# PGQPP_SOURCE_DIR PGQPP_TEST_DATA.
set -euo pipefail
: "${PGQPP_SOURCE_DIR:?PGQPP_SOURCE_DIR is not set}" "${PGQPP_TEST_DATA:?PGQPP_TEST_DATA is not set}"
bin="${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/lib/tests/pgqpp_lib_integration_tests"
[ -x "$bin" ] || { echo "FAIL: $bin is not built" >&2; exit 1; }
exec "$bin" --gtest_filter='ServerRestart*'
