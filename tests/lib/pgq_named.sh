# SPDX-License-Identifier: PostgreSQL
# shellcheck shell=bash
# pgqpp under the name pgq in place of PgQ 3.5, for the tests of
# `ALTER EXTENSION pgq UPDATE` from PgQ 3.5. Source it after cluster.sh and
# testlib.sh.
#
# The server of such a test starts on a stage of Debian's files only
# (`pg_stage STAGE ""`: PgQ 3.5's pgq.control, scripts and libraries), so
# that `CREATE EXTENSION pgq` makes a PgQ 3.5 database; pgq_named_stage then
# puts pgqpp-as-pgq over it, as `make install EXTENSION_NAME=pgq` would over
# Debian's package: pgqpp's pgq.control (default_version pgqpp's), its
# install and update scripts (pgq--3.5--<version>.sql among them) and
# pgqpp.so. PgQ 3.5's own scripts and libraries stay, as they do on a server.

# pgq_named_scripts ROOT DIR: configures the source tree ROOT with
# EXTENSION_NAME=pgq into DIR and builds only the SQL scripts (the module is
# the same for both names).
pgq_named_scripts() {
  local root=$1 dir=$2
  cmake -S "$root" -B "$dir" -DEXTENSION_NAME=pgq -DPG_CONFIG="${PG_CONFIG:-pg_config}" >"$dir.cmake.log" 2>&1 ||
    { cat "$dir.cmake.log"; fail "configuring the EXTENSION_NAME=pgq build"; }
  cmake --build "$dir" --target pgqpp_sql >"$dir.build.log" 2>&1 ||
    { cat "$dir.build.log"; fail "building the EXTENSION_NAME=pgq scripts"; }
}

# pgq_named_stage STAGE BUILD PGQ_BUILD: puts pgqpp-as-pgq (PGQ_BUILD's
# scripts, BUILD's pgqpp.so) into the stage STAGE made by pg_stage.
pgq_named_stage() {
  local stage=$1 build=$2 pgq_build=$3
  # --remove-destination: the stage's files are links to the system's.
  cp --remove-destination "$pgq_build"/extension/pgq.control "$pgq_build"/extension/pgq--*.sql \
    "$stage/${PG_SHAREDIR#/}/extension/"
  cp --remove-destination "$build"/extension/pgqpp.so "$stage/${PG_PKGLIBDIR#/}/"
  chmod -R a+rX "$stage"
}

# pgq_named_version PGQ_BUILD: the version pgqpp-as-pgq installs.
pgq_named_version() {
  sed -n "s/^default_version = '\(.*\)'$/\1/p" "$1/extension/pgq.control"
}
