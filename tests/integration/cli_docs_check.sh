#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# scripts/cli-docs.py on a copy of docs/cli.md: --check names a block that
# differs from `pgqpp NAME --help` and a subcommand without a block (exit 1),
# leaves blocks of subcommands the binary lacks alone, and filling makes
# --check pass. (The check of the real docs/cli.md is its own record in
# tests/run-all.sh.)
set -euo pipefail
. "${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/testlib.sh"
root=${PGQPP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$PGQPP_TEST_WORK/cli_docs_check
mkdir -p "$work"
docs() { python3 "$root/scripts/cli-docs.py" --binary "$PGQPP_BUILD_DIR/cli/pgqpp" --doc "$work/cli.md" "$@"; }

# Every subcommand's help ends with at least one example.
pgqpp=$PGQPP_BUILD_DIR/cli/pgqpp
for cmd in $(docs --list); do
  "$pgqpp" "$cmd" --help | grep -qE "^Examples?:$" || fail "pgqpp $cmd --help has no example"
  # (an example may feed the command through a pipe: "seq 10 | pgqpp produce q")
  "$pgqpp" "$cmd" --help | grep -qE "^  (.*\| *)?([A-Z_]+=[^ ]* )*pgqpp $cmd( |\$)" || fail "pgqpp $cmd --help's example does not run pgqpp $cmd"
done

cp "$root/docs/cli.md" "$work/cli.md"
docs --check >/dev/null || fail "the copy of docs/cli.md does not pass --check"

# A stale block, a missing block, and a block for a subcommand the binary lacks.
python3 - "$work/cli.md" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("Register a consumer on a queue", "Register a consumer somewhere", 1)
s = re.sub(r"<!-- help: retry -->\n.*?<!-- end help -->\n", "", s, flags=re.S)
s += "\n<!-- help: not-a-command -->\nanything\n<!-- end help -->\n"
open(p, "w").write(s)
PY
set +e
docs --check >"$work/out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "--check exited $rc on a stale document"
grep -q "help blocks differ from pgqpp NAME --help for: register (run" "$work/out" || fail "stale block not named: $(cat "$work/out")"
grep -q "subcommands without a help block in docs/cli.md: retry (run" "$work/out" || fail "missing block not named: $(cat "$work/out")"
grep -q "not-a-command" "$work/out" && fail "a block for an unknown subcommand was reported"

# Filling repairs the stale block, leaves the unknown one alone, and still
# reports the missing one (it cannot know where it belongs).
set +e
docs >"$work/out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || fail "filling exited $rc with a block missing"
grep -q "Register a consumer on a queue" "$work/cli.md" || fail "stale block not refilled"
python3 - "$work/cli.md" <<'PY' || fail "the block of a subcommand the binary lacks was changed"
import sys
assert "<!-- help: not-a-command -->\nanything\n<!-- end help -->" in open(sys.argv[1]).read()
PY
set +e
docs --check >"$work/out" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "without a help block in docs/cli.md: retry" "$work/out" || fail "after filling: $(cat "$work/out")"
grep -q "differ" "$work/out" && fail "blocks still differ after filling: $(cat "$work/out")"
echo PASS
