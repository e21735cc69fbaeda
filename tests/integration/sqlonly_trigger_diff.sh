#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# trigger_diff.sh's differential test (tests/lib/trigger_diff.sh) for the
# SQL-only edition's PL/pgSQL triggers (docs/managed.md): the same changes
# under PgQ 3.5's C triggers and under the edition's make the same psql
# output and the same events, but for the cases that differ by design.
set -euo pipefail
PGQPP_SOURCE_DIR=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$PGQPP_SOURCE_DIR/tests/lib/trigger_diff.sh"
. "$PGQPP_SOURCE_DIR/tests/lib/sqlonly.sh"

file=$(sqlonly_file "${PGQPP_BUILD_DIR:?}")
[ -n "$file" ] || fail "no pgqpp-sqlonly--*.sql in $PGQPP_BUILD_DIR"
install_sqlonly() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$file" >/dev/null; }
trigger_diff so_trg_diff true install_sqlonly
