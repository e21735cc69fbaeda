#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# The SQL functions' doc comments (extension/sql/*.sql) are the one source of
# docs/sql-api.md and of the man page pgqpp-sql(7): the build made the page
# that scripts/sql-api-docs.py --man makes now, it has one entry per
# documented function, man renders it without a warning, `cmake --install`
# installs it with the tool, and a changed comment shows in both outputs.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}
work=$PGQPP_TEST_WORK/docs_sql_man
rm -rf "$work"
mkdir -p "$work"

built=$build/docs/pgqpp-sql.7
[ -f "$built" ] || fail "the build made no $built"
version=$("$build/cli/pgqpp" --version)
python3 "$root/scripts/sql-api-docs.py" --man "$work/fresh.7" --version "$version"
cmp -s "$built" "$work/fresh.7" || fail "$built differs from sql-api-docs.py --man (rebuild)"

documented=$(cat "$root"/extension/sql/*.sql | grep -cE '^--[[:space:]]*Function:')
entries=$(grep -c '^\.TP$' "$built")
[ "$entries" -eq "$documented" ] || fail "$built has $entries entries for $documented documented functions"
grep -qF '.B pgq.next_batch(' "$built" || fail "$built does not describe pgq.next_batch"

LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$built" >"$work/man.txt" 2>"$work/man.err" || fail "man cannot render $built"
[ ! -s "$work/man.err" ] || fail "man warns about $built: $(cat "$work/man.err")"
grep -q '^NAME' "$work/man.txt" && grep -q 'pgq.finish_batch' "$work/man.txt" || fail "rendered page: $(head "$work/man.txt")"

cmake --install "$build" --component tool --prefix "$work/prefix" >"$work/install.log"
cmp -s "$built" "$work/prefix/share/man/man7/pgqpp-sql.7" || fail "cmake --install put no pgqpp-sql.7 in share/man/man7"

# One comment, two outputs: a changed doc comment in a copy of the sources
# reaches both docs/sql-api.md and the man page.
mkdir -p "$work/tree/scripts" "$work/tree/docs" "$work/tree/extension"
cp "$root/scripts/sql-api-docs.py" "$work/tree/scripts/"
cp "$root/docs/sql-api.md" "$work/tree/docs/"
cp -r "$root/extension/sql" "$work/tree/extension/"
sed -i '/^--[[:space:]]*Function:[[:space:]]*pgq\.next_batch(/{n;s/^--.*/-- A sentence only this test writes./}' "$work/tree/extension/sql/"*.sql
grep -rq "A sentence only this test writes" "$work/tree/extension/sql" || fail "the test could not change the copy"
if python3 "$work/tree/scripts/sql-api-docs.py" --check 2>/dev/null; then fail "--check passed a stale docs/sql-api.md"; fi
python3 "$work/tree/scripts/sql-api-docs.py"
python3 "$work/tree/scripts/sql-api-docs.py" --man "$work/tree/changed.7"
grep -q "A sentence only this test writes" "$work/tree/docs/sql-api.md" || fail "the changed comment is not in sql-api.md"
grep -q "A sentence only this test writes" "$work/tree/changed.7" || fail "the changed comment is not in the man page"
echo PASS
