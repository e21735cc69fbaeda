# SPDX-License-Identifier: PostgreSQL
# Generates the update script from Debian's PgQ 3.5 to the current pgqpp,
# pgq--<PgQ version>--<pgqpp version>.sql (EXTENSION_NAME=pgq builds only),
# from the same sql/ parts as the install script, so that the two cannot
# drift apart:
#   1. DELTA (sql/updates/from-pgq35.sql, hand-written and frozen): what
#      PgQ 3.5's schema lacks or has in excess, in place of SKIP (the part
#      that creates the tables PgQ 3.5 already has, 00_schema.sql);
#   2. every other part as the install script has it, with each
#      `create function` made `create or replace function`, so that the
#      functions PgQ 3.5 already has keep their OIDs (triggers on user
#      tables, pgq_node and londiste refer to them) and get pgqpp's
#      definition, library, settings and comments;
#   3. except the parts named *_coop.sql: a build named pgq installs
#      schema pgq_coop as its own extension pgq_coop (concat_sql.cmake).
# Inputs: OUT, EXTENSION_NAME, UPDATE_FROM, UPDATE_TO, DELTA, SKIP, PARTS
# (|-separated, in name order).
file(WRITE "${OUT}" "-- ${EXTENSION_NAME} update script from PgQ ${UPDATE_FROM} to pgqpp ${UPDATE_TO}, generated from\n"
                    "-- extension/sql/updates/from-pgq35.sql and extension/sql/ (do not edit)\n")
file(APPEND "${OUT}" "\\echo Use \"ALTER EXTENSION ${EXTENSION_NAME} UPDATE TO '${UPDATE_TO}'\" to load this file. \\quit\n")
get_filename_component(delta_name "${DELTA}" NAME)
file(READ "${DELTA}" text)
file(APPEND "${OUT}" "\n-- ==== ${delta_name} ====\n${text}")
string(REPLACE "|" ";" PARTS "${PARTS}")
set(skipped FALSE)
foreach(part ${PARTS})
  get_filename_component(name "${part}" NAME)
  if(name STREQUAL SKIP)
    set(skipped TRUE)
    continue()
  endif()
  if(name MATCHES "_coop\\.sql$")
    continue()
  endif()
  file(READ "${part}" text)
  string(REGEX REPLACE "(^|\n)create function " "\\1create or replace function " text "${text}")
  # Any other spelling would create a second function beside PgQ's (or
  # fail): refuse it here rather than ship a script that drifts.
  string(REGEX MATCH "(^|\n)[ \t]*[Cc][Rr][Ee][Aa][Tt][Ee][ \t\n]+[Ff][Uu][Nn][Cc][Tt][Ii][Oo][Nn]" odd "${text}")
  if(odd)
    message(FATAL_ERROR "${part}: write `create function` in lower case at the start of a line "
                        "(cmake/pgq35_update_sql.cmake turns it into `create or replace function`)")
  endif()
  file(APPEND "${OUT}" "\n-- ==== ${name} ====\n${text}")
endforeach()
if(NOT skipped)
  message(FATAL_ERROR "the part ${SKIP}, which sql/updates/from-pgq35.sql replaces, is not among the sql/ parts")
endif()
