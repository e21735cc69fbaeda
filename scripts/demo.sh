#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# make demo: runs `pgqpp demo` (a throwaway PostgreSQL with pgqpp, the ticker,
# a producer and two consumers for a few seconds, then a summary) from a source
# checkout, where pgqpp is built but not installed into the server's folders.
#
# It stages a relocated copy of the server whose extension and library folders
# also hold the build output (tests/lib/cluster.sh pg_stage), links initdb and
# pg_ctl next to the staged postgres, and hands that folder to
# `pgqpp demo --bindir`. The staged copy is removed at the end; `pgqpp demo`
# removes its own cluster. DEMO_SECONDS sets --seconds (default 5).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
. "$root/tests/lib/cluster.sh"

stage=$(mktemp -d /tmp/pgqpp-demo-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
pg_stage "$stage" "$build"
staged_bin=$(dirname "$PG_STAGED_POSTGRES")
# initdb may run from the system (it needs no pgqpp); pg_ctl is told to start
# the staged postgres, which finds pgqpp in the staged folders.
ln -s "$PG_BINDIR/initdb" "$staged_bin/initdb"
ln -s "$PG_BINDIR/pg_ctl" "$staged_bin/pg_ctl"

"$build/cli/pgqpp" demo --bindir "$staged_bin" ${DEMO_SECONDS:+--seconds "$DEMO_SECONDS"} "$@"
