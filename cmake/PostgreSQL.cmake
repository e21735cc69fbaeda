# SPDX-License-Identifier: PostgreSQL
# Reads everything about the target PostgreSQL from pg_config and PGXS's
# Makefile.global, so the extension is built and installed exactly as PGXS
# would build and install it.

function(pg_config_value out flag)
  execute_process(COMMAND ${PG_CONFIG} ${flag}
                  OUTPUT_VARIABLE value OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PG_CONFIG} ${flag} failed: is postgresql-server-dev installed?")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

pg_config_value(PG_BINDIR --bindir)
pg_config_value(PG_PKGLIBDIR --pkglibdir)
pg_config_value(PG_SHAREDIR --sharedir)
pg_config_value(PG_INCLUDEDIR_SERVER --includedir-server)
pg_config_value(PG_PGXS --pgxs)
pg_config_value(PG_VERSION_STRING --version)
string(REGEX MATCH "[0-9]+" PG_MAJOR "${PG_VERSION_STRING}")

# PGXS's CXXFLAGS (pg_config --cflags holds C-only flags that g++ rejects).
# pgxs.mk lives in lib/pgxs/src/makefiles/; Makefile.global in lib/pgxs/src/.
get_filename_component(_pgxs_dir "${PG_PGXS}" DIRECTORY)
file(STRINGS "${_pgxs_dir}/../Makefile.global" _pgxs_cxxflags REGEX "^CXXFLAGS = ")
string(REGEX REPLACE "^CXXFLAGS = " "" PG_CXXFLAGS "${_pgxs_cxxflags}")
separate_arguments(PG_CXXFLAGS UNIX_COMMAND "${PG_CXXFLAGS}")
# Debug and optimisation levels are CMake's business (CMAKE_BUILD_TYPE).
list(FILTER PG_CXXFLAGS EXCLUDE REGEX "^-(g|O[0-9s]?)$")

find_program(PG_REGRESS pg_regress
             PATHS "${PG_PKGLIBDIR}/pgxs/src/test/regress" NO_DEFAULT_PATH)
find_program(PG_ISOLATION_REGRESS pg_isolation_regress
             PATHS "${PG_PKGLIBDIR}/pgxs/src/test/isolation" "${PG_BINDIR}" NO_DEFAULT_PATH)

message(STATUS "PostgreSQL ${PG_MAJOR}: server headers ${PG_INCLUDEDIR_SERVER}, pkglibdir ${PG_PKGLIBDIR}")
