# SPDX-License-Identifier: PostgreSQL
# The SQL regression suite against pgqpp's SQL-only edition (docs/managed.md),
# for tests/harness/run.sh (kind `sqlonly`). Source it after cluster.sh.
#
# Each test file's `create extension pgqpp;` becomes a hidden block that
# installs pgqpp-sqlonly--VERSION.sql with `\i`, as role pgqpp_sqlonly_owner:
# a role with LOGIN and CREATEDB only, given CREATE on the test's database
# (what a managed service's database owner has); the roles pgq_reader,
# pgq_writer and pgq_admin are created first if missing, as the docs ask an
# administrator to. `drop extension pgqpp [cascade];` becomes DROP SCHEMA
# pgq, pgq_coop CASCADE. The install leaves client_min_messages at warning,
# as CREATE EXTENSION pgqpp does (its script's SET outlives it). In the expected output both show as the line
# "\set ECHO none" that hides the block. extension/test/expected-sqlonly/
# holds the few expected files that must differ (docs/managed.md lists why).

# sqlonly_file BUILD_DIR: the edition's install file in a build tree (the
# newest version; not an update pgqpp-sqlonly--OLD--NEW.sql).
sqlonly_file() {
  local f
  for f in "$1"/pgqpp-sqlonly--*.sql; do
    case $f in *--*--*) continue ;; esac
    [ -e "$f" ] && echo "$f"
  done | sort -V | tail -1
}

# sqlonly_prepare SOURCE OUT SQLFILE NAMES...: OUT/sql and OUT/expected from
# SOURCE (extension/test), rewritten for the SQL-only edition, with
# SQLFILE copied to OUT (readable by the cluster's owner).
sqlonly_prepare() {
  local src=$1 out=$2 file=$3 name expected
  shift 3
  rm -rf "$out"
  mkdir -p "$out/sql" "$out/expected"
  cp "$file" "$out/pgqpp-sqlonly.sql"
  for name in "$@"; do
    SQLONLY_FILE="$out/pgqpp-sqlonly.sql" python3 - "$src/sql/$name.sql" "$out/sql/$name.sql" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
install = (
    "\\set ECHO none\n"
    "set client_min_messages = warning;\n"
    "do $so$ begin\n"
    "  if not exists (select 1 from pg_roles where rolname = 'pgq_reader') then create role pgq_reader; end if;\n"
    "  if not exists (select 1 from pg_roles where rolname = 'pgq_writer') then create role pgq_writer; end if;\n"
    "  if not exists (select 1 from pg_roles where rolname = 'pgq_admin') then\n"
    "    create role pgq_admin in role pgq_reader, pgq_writer; end if;\n"
    "  if not exists (select 1 from pg_roles where rolname = 'pgqpp_sqlonly_owner') then\n"
    "    create role pgqpp_sqlonly_owner login createdb; end if;\n"
    "end $so$;\n"
    "grant create on database :\"DBNAME\" to pgqpp_sqlonly_owner;\n"
    "set role pgqpp_sqlonly_owner;\n"
    f"\\i {os.environ['SQLONLY_FILE']}\n"
    "reset role;\n"
    "\\set ECHO all\n")
drop = (
    "\\set ECHO none\n"
    "select current_setting('client_min_messages') as so_cmm \\gset\n"
    "set client_min_messages = warning;\n"
    "drop schema if exists pgq, pgq_coop cascade;\n"
    "set client_min_messages = :'so_cmm';\n"
    "\\set ECHO all\n")
out = []
for line in open(src, encoding="utf-8"):
    if line.strip() == "create extension pgqpp;":
        out.append(install)
    elif line.strip() in ("drop extension pgqpp cascade;", "drop extension pgqpp;"):
        out.append(drop)
    else:
        out.append(line)
open(dst, "w", encoding="utf-8").write("".join(out))
PY
    expected="$src/expected-sqlonly/$name.out"
    [ -f "$expected" ] || expected="$src/expected/$name.out"
    sed -e 's/^create extension pgqpp;$/\\set ECHO none/' \
        -e 's/^drop extension pgqpp\( cascade\)\?;$/\\set ECHO none/' "$expected" >"$out/expected/$name.out"
  done
  chmod -R a+rX "$out"
}

# sqlonly_prepare_isolation SOURCE OUT SQLFILE NAMES...: OUT/specs and
# OUT/expected from SOURCE (extension/test/isolation) for the SQL-only
# edition, and OUT/init.sql, which defines public.sqlonly_install() in the
# test's database (regress_run runs it through REGRESS_INIT_SQL): the specs'
# `create extension pgqpp;` calls it, `drop extension ...` drops the
# schemas. The install runs as the test's user inside the setup's
# transaction (the non-superuser install is sqlonly/NAME's and
# integration/sqlonly_install_ticker's).
sqlonly_prepare_isolation() {
  local src=$1 out=$2 file=$3 name
  shift 3
  rm -rf "$out"
  mkdir -p "$out/specs" "$out/expected"
  grep -v -x -e 'begin;' -e 'commit;' "$file" >"$out/script.sql"
  cat >"$out/init.sql" <<SQL
\\set body \`cat $out/script.sql\`
create table public.sqlonly_script (body text);
insert into public.sqlonly_script values (:'body');
create function public.sqlonly_install() returns void language plpgsql as \$\$
begin
    execute (select body from public.sqlonly_script);
end \$\$;
SQL
  for name in "$@"; do
    sed -e 's/^\( *\)create extension pgqpp;$/\1select public.sqlonly_install();/' \
        -e 's/^\( *\)drop extension if exists pgqpp cascade;$/\1drop schema if exists pgq, pgq_coop cascade;/' \
        -e 's/^\( *\)drop extension pgqpp cascade;$/\1drop schema pgq, pgq_coop cascade;/' \
        "$src/specs/$name.spec" >"$out/specs/$name.spec"
    cp "$src/expected/$name.out" "$out/expected/"
  done
  chmod -R a+rX "$out"
}
