#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Runs the test suite of a build folder through ctest (`make test` calls it):
# every test tests/CMakeLists.txt registers, against the PostgreSQL the build
# was configured with (PG_CONFIG at configure time; `make test PG=18`).
#
#   BUILD=DIR     the build folder (default build)
#   ONLY=REGEX    only the tests whose names match (ctest -R), for example
#                 ONLY=integration/cli_ or ONLY='regress/|isolation/'
#
# Further arguments go to ctest (-L regress, -j 2, ...). Output of failing
# tests is shown; the NOTE lines of passing integration tests follow the
# run, and the closing line is ctest's "N% tests passed, N tests failed out of M".
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd) || exit 1
pg_config=$(sed -n 's/^PG_CONFIG:[A-Z]*=//p' "$build/CMakeCache.txt")
if [ -n "${PG_CONFIG:-}" ] && [ "$PG_CONFIG" != "$pg_config" ]; then
  echo "run-all: $build was configured with PG_CONFIG=$pg_config (not $PG_CONFIG); testing that one" >&2
fi
bindir=$(PATH="$(dirname "$pg_config"):$PATH" "$pg_config" --bindir)
echo "testing against PostgreSQL $("$bindir/postgres" --version | sed 's/^postgres (PostgreSQL) //') ($bindir)"

args=(--output-on-failure --no-tests=error --no-label-summary)
[ -z "${ONLY:-}" ] || args+=(-R "$ONLY")
mkdir -p "$build/Testing"
notes=$build/Testing/notes.log log=$build/Testing/run-all.log
: >"$notes"
(cd "$build" && ctest "${args[@]}" "$@") 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# A passing test may still have seen something worth reading.
if [ -s "$notes" ]; then
  echo
  echo "NOTE lines of passing tests:"
  sed 's/^/  /' "$notes"
fi
# ctest's count again, last, below its list of failed tests.
echo
grep -E '^[0-9]+% tests passed' "$log" | tail -1
exit "$status"
