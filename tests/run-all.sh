#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# Runs every test: unit tests, the SQL regression suite and the integration
# tests, against throwaway clusters that are removed afterwards, even on
# failure. Ends with the line "N passed, N failed".
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILD:-$root/build}" && pwd)
. "$root/tests/lib/cluster.sh"
. "$root/tests/lib/regress.sh"

work=$(mktemp -d /tmp/pgqpp-test.XXXXXX)
chmod 755 "$work"
export PGQPP_TEST_WORK=$work PGQPP_BUILD_DIR=$build PGQPP_SOURCE_DIR=$root
clusters=()
cleanup() {
  local d
  for d in "${clusters[@]}"; do pg_stop "$d"; done
  if [ "${KEEP_TEST_WORK:-}" = "" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

# The server every test below runs, named first (PG=17 / PG=18 choose it).
server_version=$("$PG_BINDIR/postgres" --version | sed 's/^postgres (PostgreSQL) //')
echo "testing against PostgreSQL $server_version ($PG_BINDIR)"

passed=0
failed=0
failures=()
# ONLY=REGEX runs just the checks whose names match (for example
# ONLY=integration/cli_ or ONLY=sql/); the default runs everything.
wanted() { [ -z "${ONLY:-}" ] || echo "$1" | grep -qE "$ONLY"; }
record() {  # record NAME STATUS
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $1"
  else
    failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1"
  fi
}

# --- unit tests (pure C++) ---
if ! wanted "unit tests"; then :
elif "$build/tests/pgqpp_unit_tests" --gtest_brief=1 >"$work/unit.log" 2>&1; then
  record "unit tests ($(grep -oE '[0-9]+ tests?\.' "$work/unit.log" | tail -1 | grep -oE '[0-9]+') cases)" 0
else
  cat "$work/unit.log"; record "unit tests" 1
fi

# --- documentation that is generated from the code is up to date ---
if ! wanted "docs/"; then :
elif python3 "$root/scripts/sql-api-docs.py" --check >"$work/docs.log" 2>&1; then
  record "docs/sql-api.md matches the SQL doc comments" 0
else
  cat "$work/docs.log"; record "docs/sql-api.md matches the SQL doc comments" 1
fi
if ! wanted "docs/"; then :
elif python3 "$root/scripts/cli-docs.py" --check --binary "$build/cli/pgqpp" >"$work/cli-docs.log" 2>&1; then
  record "docs/cli.md matches pgqpp --help" 0
else
  cat "$work/cli-docs.log"; record "docs/cli.md matches pgqpp --help" 1
fi

# --- every shell script passes shellcheck (.shellcheckrc); every source
# file names its license (scripts/spdx.py) ---
if ! wanted "lint/"; then :
elif (cd "$root" && git ls-files -z '*.sh' .ci/run | xargs -0 shellcheck) >"$work/shellcheck.log" 2>&1; then
  record "lint/shellcheck" 0
else
  cat "$work/shellcheck.log"; record "lint/shellcheck" 1
fi
if ! wanted "lint/"; then :
elif (cd "$root" && python3 scripts/spdx.py --check) >"$work/spdx.log" 2>&1; then
  record "lint/spdx" 0
else
  cat "$work/spdx.log"; record "lint/spdx" 1
fi

# --- one staged server for everything below ---
pg_stage "$work/stage" "$build" || { echo "staging the server failed" >&2; exit 1; }
port=$(free_port)
data="$work/main/data"
mkdir -p "$work/main"
clusters+=("$data")
# The production setup: pgqpp preloaded, so that the wake-up path is on.
pg_start "$data" "$port" "-c shared_preload_libraries=pgqpp" || { echo "cannot start the test cluster" >&2; exit 1; }
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
export PGQPP_TEST_DATA=$data

# --- SQL regression tests (pg_regress) ---
# One run, one database: 00_setup defines helpers the other files use.
# With ONLY, the matching files, plus 00_setup that the others use.
regress_dir="$work/regress"
selected=""
for t in $(regress_names "$root/extension/test/sql" sql); do wanted "sql/$t" && selected="$selected $t"; done
[ -n "$selected" ] && ! echo "$selected" | grep -q 00_setup && selected="00_setup$selected"
if [ -n "$selected" ]; then
  # shellcheck disable=SC2086  # one argument per test name
  regress_run pg_regress "$root/extension/test" "$regress_dir" pgqpp_regress "$port" $selected
  for t in $selected; do
    if regress_passed "$regress_dir/pg_regress.log" "$t"; then record "sql/$t" 0; else record "sql/$t" 1; fi
  done
  [ -f "$regress_dir/regression.diffs" ] && head -300 "$regress_dir/regression.diffs"
fi

# --- multi-session isolation specs (pg_isolation_regress) ---
specs=$(regress_names "$root/extension/test/isolation/specs" spec)
if wanted "isolation/" && [ -n "$specs" ]; then
  iso_dir="$work/isolation"
  # shellcheck disable=SC2086  # one argument per spec name
  regress_run pg_isolation_regress "$root/extension/test/isolation" "$iso_dir" pgqpp_isolation "$port" $specs
  for t in $specs; do
    if regress_passed "$iso_dir/pg_isolation_regress.log" "$t"; then record "isolation/$t" 0; else record "isolation/$t" 1; fi
  done
  [ -f "$iso_dir/regression.diffs" ] && head -200 "$iso_dir/regression.diffs"
fi

# --- integration tests: each script gets the running cluster in PG* vars ---
for script in "$root"/tests/integration/*.sh; do
  [ -e "$script" ] || continue
  name="integration/$(basename "$script" .sh)"
  wanted "$name" || continue
  if bash "$script" >"$work/$(basename "$script").log" 2>&1; then
    record "$name" 0
    # A passing test may still have seen something worth reading.
    grep '^NOTE' "$work/$(basename "$script").log" | sed 's/^/     /' || true
  else
    tail -40 "$work/$(basename "$script").log"; record "$name" 1
  fi
done

if pg_crashed "$data"; then
  grep -E "terminated by signal|terminated by exception" "$work/main/server.log"
  record "no backend crashed" 1
else
  record "no backend crashed" 0
fi

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
