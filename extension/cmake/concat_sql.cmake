# SPDX-License-Identifier: PostgreSQL
# Joins the sql/ parts into one extension script, each part under a banner
# naming its source file so errors during CREATE EXTENSION are easy to place.
# With UPDATE_TO set, the one part is an update script (sql/updates/A--B.sql)
# and gets the header of one.
#
# COOP says what to do with pgq_coop (cooperative consumers), which builds
# with EXTENSION_NAME=pgq install as an extension of its own, as PgQ does:
#   (unset)  keep everything (extension pgqpp holds schema pgq_coop);
#   strip    leave out the parts named *_coop.sql and, in update scripts,
#            the region between the lines "-- BEGIN pgq_coop" and
#            "-- END pgq_coop" (extension pgq);
#   only     keep only those (extension pgq_coop).
if(DEFINED UPDATE_TO)
  file(WRITE "${OUT}" "-- ${EXTENSION_NAME} update script, generated from extension/sql/updates/ (do not edit)\n")
  file(APPEND "${OUT}" "\\echo Use \"ALTER EXTENSION ${EXTENSION_NAME} UPDATE TO '${UPDATE_TO}'\" to load this file. \\quit\n")
else()
  file(WRITE "${OUT}" "-- ${EXTENSION_NAME} install script, generated from extension/sql/ (do not edit)\n")
  file(APPEND "${OUT}" "\\echo Use \"CREATE EXTENSION ${EXTENSION_NAME}\" to load this file. \\quit\n")
endif()
if(NOT DEFINED COOP)
  set(COOP "")
endif()
set(coop_region "-- BEGIN pgq_coop\n.*-- END pgq_coop\n")
string(REPLACE "|" ";" PARTS "${PARTS}")
foreach(part ${PARTS})
  get_filename_component(name "${part}" NAME)
  set(is_coop FALSE)
  if(name MATCHES "_coop\\.sql$")
    set(is_coop TRUE)
  endif()
  if((COOP STREQUAL "strip" AND is_coop) OR (COOP STREQUAL "only" AND NOT is_coop AND NOT DEFINED UPDATE_TO))
    continue()
  endif()
  file(READ "${part}" text)
  if(DEFINED UPDATE_TO AND COOP STREQUAL "strip")
    string(REGEX REPLACE "${coop_region}" "" text "${text}")
  elseif(DEFINED UPDATE_TO AND COOP STREQUAL "only")
    if(text MATCHES "${coop_region}")
      set(text "${CMAKE_MATCH_0}")
    else()
      set(text "-- pgq_coop is unchanged in this step.\n")
    endif()
  endif()
  file(APPEND "${OUT}" "\n-- ==== ${name} ====\n${text}")
endforeach()
