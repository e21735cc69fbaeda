# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# Helpers for the `pgqpp` tool's integration tests (tests/integration/cli_*.sh).
# Source it after setting `work` (a folder for outputs); defines `pgqpp`,
# and brings tests/lib/testlib.sh (fail, q, wait_for, fresh_databases).
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
pgqpp=${PGQPP_BUILD_DIR:?PGQPP_BUILD_DIR is not set}/cli/pgqpp

# expect RC ARGS...: runs `pgqpp ARGS`, fails unless it exits with RC;
# its output is in $work/out and $work/err.
expect() {
  local want=$1 rc
  shift
  set +e
  "$pgqpp" "$@" >"${work:?}/out" 2>"$work/err"
  rc=$?
  set -e
  [ "$rc" -eq "$want" ] ||
    fail "pgqpp $*: exit $rc, expected $want; stdout: $(cat "$work/out"); stderr: $(cat "$work/err")"
}

# err_line TEXT: stderr is exactly one line, and it contains TEXT.
err_line() {
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "expected one line on stderr, got: $(cat "$work/err")"
  grep -qF -- "$1" "$work/err" || fail "stderr lacks '$1': $(cat "$work/err")"
}

# out_has TEXT: stdout contains TEXT.
out_has() { grep -qF -- "$1" "$work/out" || fail "stdout lacks '$1': $(cat "$work/out")"; }


# tick DB QUEUE: a tick now, whatever the queue's tick settings.
tick() { q "$1" "select pgq.force_tick('$2')" >/dev/null; q "$1" "select pgq.ticker('$2')" >/dev/null; }
