#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Differential test of the change-capture triggers (tests/lib/trigger_diff.sh):
# the same changes (tests/compat/trigger_scenario.sql) under PgQ 3.5's
# logutriga, sqltriga and jsontriga and under pgqpp's make the same events
# field by field and the same psql output, error messages included.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/trigger_diff.sh"

install_pgqpp() { q "$1" "create extension pgqpp"; }
trigger_diff trg_diff false install_pgqpp
