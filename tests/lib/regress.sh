# SPDX-License-Identifier: PostgreSQL
# pg_regress and pg_isolation_regress against a running cluster, for
# tests/harness/run.sh and the scripts that run the SQL suite again (under
# valgrind, for one). Source it after cluster.sh.

# regress_run TOOL SOURCE DIR DBNAME PORT NAMES...: copies SOURCE's inputs
# (sql/ for pg_regress, specs/ for pg_isolation_regress) and expected/ to
# DIR, which the cluster's owner can read and write (CI's clone may sit where
# the postgres user cannot), creates database DBNAME and runs NAMES in it;
# the tool's output goes to DIR/TOOL.log, differences to DIR/regression.diffs.
# Its exit code is the tool's.
regress_run() {
  local tool=$1 src=$2 dir=$3 db=$4 port=$5 inputs=sql kind=regress
  shift 5
  if [ "$tool" = pg_isolation_regress ]; then inputs=specs kind=isolation; fi
  mkdir -p "$dir/results"
  cp -r "$src/$inputs" "$src/expected" "$dir/"
  chmod -R a+rwX "$dir"
  psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "create database $db" >/dev/null
  # REGRESS_INIT_SQL: a file run in the new database first (tests/lib/sqlonly.sh).
  if [ -n "${REGRESS_INIT_SQL:-}" ]; then
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" -f "$REGRESS_INIT_SQL" >/dev/null ||
      return 1
  fi
  as_pg_owner "$(dirname "$(pg_config --pgxs)")/../test/$kind/$tool" --use-existing \
    --host=127.0.0.1 --port="$port" --user=postgres --bindir="$PG_BINDIR" \
    --inputdir="$dir" --outputdir="$dir" --dbname="$db" "$@" >"$dir/$tool.log" 2>&1
}

# regress_passed LOG NAME: true if LOG, a regress_run output, reports test
# NAME as passed (the first line naming its result decides).
regress_passed() {
  local line
  line=$(grep -E "^(ok|not ok|test|permutation) .*\b$2\b|^ *$2 +\.\.\." "$1" | head -1)
  echo "$line" | grep -qE "\.\.\. ok|^ok"
}

# regress_names DIR EXTENSION: the test names in DIR (files NAME.EXTENSION),
# sorted.
regress_names() {
  local f
  for f in "$1"/*."$2"; do [ -e "$f" ] && basename "$f" ".$2"; done | sort
}
