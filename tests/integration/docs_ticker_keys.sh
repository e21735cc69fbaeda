#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# docs/ticker.md's key table is generated from the ticker's one declaration
# of its keys (`pgqpp ticker --keys`) by scripts/ticker-docs.py: the real
# document passes --check, a copy with a changed cell or a missing row fails
# it, and regenerating repairs the copy. `pgqpp ticker --help` and `--ini`
# come from the same table.
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
work=$PGQPP_TEST_WORK/docs_ticker_keys
mkdir -p "$work"
docs() { python3 "$root/scripts/ticker-docs.py" --binary "$pgqpp" "$@"; }

docs --check || fail "docs/ticker.md's key table is stale (run scripts/ticker-docs.py)"

# A changed default and a dropped row are both caught; filling repairs them.
sed -e 's/| `template1` |/| `postgres` |/' -e '/^| `stats_period` |/d' "$root/docs/ticker.md" >"$work/ticker.md"
cmp -s "$root/docs/ticker.md" "$work/ticker.md" && fail "the test could not alter the copy"
if docs --check --doc "$work/ticker.md" >"$work/out" 2>&1; then fail "--check passed a stale table"; fi
grep -q "key table differs" "$work/out" || fail "--check said: $(cat "$work/out")"
docs --doc "$work/ticker.md" >/dev/null
cmp -s "$root/docs/ticker.md" "$work/ticker.md" || fail "regenerating did not restore the table"

# Every key but database_list (--database) is a flag with the key's help,
# and --ini writes every key with its default.
"$pgqpp" ticker --help >"$work/help"
"$pgqpp" ticker --ini >"$work/ini"
# (cut, not read: read would merge the two tabs around an empty default)
while IFS= read -r row; do
  name=$(cut -f1 <<<"$row") default=$(cut -f3 <<<"$row") help=$(cut -f5 <<<"$row")
  grep -qxF "#$name = $default" "$work/ini" || fail "--ini lacks '#$name = $default'"
  [ "$name" = database_list ] && continue
  grep -qF -- "--${name//_/-}" "$work/help" || fail "pgqpp ticker --help has no --${name//_/-}"
  grep -qF -- "${help:0:30}" "$work/help" || fail "pgqpp ticker --help lacks the help of $name"
done < <("$pgqpp" ticker --keys)
echo PASS
