# SPDX-License-Identifier: PostgreSQL
# Joins the sql/ parts into one extension script, each part under a banner
# naming its source file so errors during CREATE EXTENSION are easy to place.
# With UPDATE_TO set, the one part is an update script (sql/updates/A--B.sql)
# and gets the header of one.
if(DEFINED UPDATE_TO)
  file(WRITE "${OUT}" "-- ${EXTENSION_NAME} update script, generated from extension/sql/updates/ (do not edit)\n")
  file(APPEND "${OUT}" "\\echo Use \"ALTER EXTENSION ${EXTENSION_NAME} UPDATE TO '${UPDATE_TO}'\" to load this file. \\quit\n")
else()
  file(WRITE "${OUT}" "-- ${EXTENSION_NAME} install script, generated from extension/sql/ (do not edit)\n")
  file(APPEND "${OUT}" "\\echo Use \"CREATE EXTENSION ${EXTENSION_NAME}\" to load this file. \\quit\n")
endif()
string(REPLACE "|" ";" PARTS "${PARTS}")
foreach(part ${PARTS})
  get_filename_component(name "${part}" NAME)
  file(READ "${part}" text)
  file(APPEND "${OUT}" "\n-- ==== ${name} ====\n${text}")
endforeach()
