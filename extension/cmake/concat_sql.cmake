# Joins the sql/ parts into one extension script, each part under a banner
# naming its source file so errors during CREATE EXTENSION are easy to place.
file(WRITE "${OUT}" "-- ${EXTENSION_NAME} install script, generated from extension/sql/ (do not edit)\n")
file(APPEND "${OUT}" "\\echo Use \"CREATE EXTENSION ${EXTENSION_NAME}\" to load this file. \\quit\n")
string(REPLACE "|" ";" PARTS "${PARTS}")
foreach(part ${PARTS})
  get_filename_component(name "${part}" NAME)
  file(READ "${part}" text)
  file(APPEND "${OUT}" "\n-- ==== ${name} ====\n${text}")
endforeach()
