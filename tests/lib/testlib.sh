# SPDX-License-Identifier: PostgreSQL
# Small helpers shared by the integration scripts (source it after
# cluster.sh). A script that has more to show when it fails (a daemon's log,
# a helper's output) defines fail_context, which fail calls.

# fail MESSAGE...: prints "FAIL: MESSAGE" (and the script's fail_context) on
# stderr and exits 1.
fail() {
  echo "FAIL: $*" >&2
  if declare -F fail_context >/dev/null; then fail_context >&2 || true; fi
  exit 1
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds; fails naming WHAT when SECONDS pass first.
wait_for() {
  local limit=$1 what=$2
  shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || fail "timed out after ${limit}s waiting for: $what"
    sleep 0.1
  done
}
