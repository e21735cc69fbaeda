# SPDX-License-Identifier: PostgreSQL
# The tests beyond the unit tests, each a ctest test with a label:
#
#   docs/*, lint/*          generated docs up to date, shellcheck, SPDX lines
#   unit/valgrind_ours      tests/lib/valgrind_ours_test.py (the valgrind judge)
#   regress/NAME            extension/test/sql/NAME.sql (pg_regress)
#   sqlonly/NAME            the same against the SQL-only edition
#   isolation/NAME          extension/test/isolation/specs/NAME.spec
#   integration/NAME        tests/integration/NAME.sh, labelled by name:
#                           compat_* compat, docs_* docs, fault_* fault, sqlonly_* sqlonly, valgrind_*
#                           valgrind, the others integration; lib_client, lib_pgq35 and
#                           lib_server_restart run libpgqpp's GoogleTest binary (integration)
#
# The SQL, isolation and integration tests share one cluster, the fixture
# `cluster` (tests/harness/fixture.sh), and run through tests/harness/run.sh.
# Files are found by glob when CMake runs, and a new or removed file makes
# the build run CMake again (CONFIGURE_DEPENDS).

set(_src ${PROJECT_SOURCE_DIR})

# --- checks of the tree that need no server ---
add_test(NAME docs/sql-api COMMAND python3 scripts/sql-api-docs.py --check WORKING_DIRECTORY ${_src})
add_test(NAME docs/cli COMMAND python3 scripts/cli-docs.py --check --binary $<TARGET_FILE:pgqpp_cli>
         WORKING_DIRECTORY ${_src})
set_tests_properties(docs/sql-api docs/cli PROPERTIES LABELS docs TIMEOUT 300)
add_test(NAME lint/shellcheck COMMAND sh -c "git ls-files -z '*.sh' .ci/run | xargs -0 shellcheck"
         WORKING_DIRECTORY ${_src})
add_test(NAME lint/spdx COMMAND python3 scripts/spdx.py --check WORKING_DIRECTORY ${_src})
set_tests_properties(lint/shellcheck lint/spdx PROPERTIES LABELS lint TIMEOUT 300)
# valgrind_backend's judge of which memcheck records are pgqpp's
add_test(NAME unit/valgrind_ours COMMAND python3 tests/lib/valgrind_ours_test.py WORKING_DIRECTORY ${_src})
set_tests_properties(unit/valgrind_ours PROPERTIES LABELS unit TIMEOUT 60)

# --- the shared cluster: started before the first test that needs it and
# stopped after the last, also when tests failed ---
set(_env ${CMAKE_BINARY_DIR}/Testing/pgqpp-cluster.env)
set(_run ${_src}/tests/harness/run.sh ${_env})
add_test(NAME cluster/start COMMAND ${_src}/tests/harness/fixture.sh up ${_env}
         ${CMAKE_BINARY_DIR} ${_src} ${PG_CONFIG})
add_test(NAME cluster/stop COMMAND ${_src}/tests/harness/fixture.sh down ${_env})
set_tests_properties(cluster/start PROPERTIES FIXTURES_SETUP cluster LABELS cluster TIMEOUT 300)
set_tests_properties(cluster/stop PROPERTIES FIXTURES_CLEANUP cluster LABELS cluster TIMEOUT 300)

# cluster_test NAME LABEL TIMEOUT KIND ARG [PROGRAM_ARGS...]: a test on the shared cluster.
# One at a time (RESOURCE_LOCK), even under ctest -j: some restart it.
function(cluster_test name label timeout kind arg)
  add_test(NAME ${name} COMMAND ${_run} ${name} ${kind} ${arg} ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS ${label} TIMEOUT ${timeout}
                       FIXTURES_REQUIRED cluster RESOURCE_LOCK pgqpp_cluster)
endfunction()

# --- SQL regression files: each in a database of its own after 00_setup
# (which defines helpers the others use); every file creates and drops the
# extension, so none depends on another's state and each runs alone ---
file(GLOB _files CONFIGURE_DEPENDS ${_src}/extension/test/sql/*.sql)
list(SORT _files)
foreach(_f IN LISTS _files)
  get_filename_component(_n ${_f} NAME_WE)
  cluster_test(regress/${_n} regress 300 regress ${_n})
endforeach()

# --- the same SQL files against the SQL-only edition (docs/managed.md),
# installed by a non-superuser with `\i pgqpp-sqlonly--VERSION.sql`
# (tests/lib/sqlonly.sh); label sqlonly ---
file(GLOB _files CONFIGURE_DEPENDS ${_src}/extension/test/sql/*.sql)
list(SORT _files)
foreach(_f IN LISTS _files)
  get_filename_component(_n ${_f} NAME_WE)
  # 01_bridge tests the C++ error bridge of the extension's module.
  if(NOT _n STREQUAL "01_bridge")
    cluster_test(sqlonly/${_n} sqlonly 300 sqlonly ${_n})
  endif()
endforeach()

# the isolation specs too (sqlonly-isolation/NAME)
file(GLOB _files CONFIGURE_DEPENDS ${_src}/extension/test/isolation/specs/*.spec)
list(SORT _files)
foreach(_f IN LISTS _files)
  get_filename_component(_n ${_f} NAME_WE)
  cluster_test(sqlonly-isolation/${_n} sqlonly 300 sqlonly_isolation ${_n})
endforeach()

# --- isolation specs, each in a database of its own ---
file(GLOB _files CONFIGURE_DEPENDS ${_src}/extension/test/isolation/specs/*.spec)
list(SORT _files)
foreach(_f IN LISTS _files)
  get_filename_component(_n ${_f} NAME_WE)
  cluster_test(isolation/${_n} isolation 300 isolation ${_n})
endforeach()

# --- integration scripts; valgrind and fault injection take minutes ---
file(GLOB _files CONFIGURE_DEPENDS ${_src}/tests/integration/*.sh)
list(SORT _files)
foreach(_f IN LISTS _files)
  get_filename_component(_n ${_f} NAME_WE)
  if(_n MATCHES "^(compat|docs|fault|valgrind|sqlonly)_")
    set(_label ${CMAKE_MATCH_1})
  else()
    set(_label integration)
  endif()
  if(_label MATCHES "^(fault|valgrind)$")
    set(_timeout 3600)
  else()
    set(_timeout 1800)
  endif()
  cluster_test(integration/${_n} ${_label} ${_timeout} script ${_f})
endforeach()

# --- Debian's python3-pgq consumer and pgqd, and the fault injection,
# against the SQL-only edition: the same scripts, the schema installed by
# `pgqpp install --sql-only` ---
foreach(_n compat_python_pgq compat_pgqd)
  cluster_test(integration/sqlonly_${_n} sqlonly 1800 script ${_src}/tests/integration/${_n}.sh)
  set_tests_properties(integration/sqlonly_${_n} PROPERTIES ENVIRONMENT COMPAT_EXTENSION=sqlonly)
endforeach()
# and the fault-injection run, shorter than the extension's (the faults are
# the same; the edition's code paths are what is new)
cluster_test(integration/sqlonly_fault_injection sqlonly 3600 script ${_src}/tests/integration/fault_injection.sh)
set_tests_properties(integration/sqlonly_fault_injection PROPERTIES LABELS "sqlonly;fault"
                     ENVIRONMENT "SCENE_EDITION=sqlonly;FAULT_SECONDS=45")

# --- libpgqpp's integration tests (lib/tests/integration/, one GoogleTest
# binary that creates its own databases) against pgqpp and against PgQ 3.5
# (Debian's `pgq`: the library falls back to insert_event per row and to
# polling); ServerRestart restarts the shared cluster, so it runs alone ---
set(_lib_it $<TARGET_FILE:pgqpp_lib_integration_tests>)
cluster_test(integration/lib_client integration 1800 program ${_lib_it} --gtest_filter=-ServerRestart*)
cluster_test(integration/lib_pgq35 integration 1800 program ${_lib_it} --gtest_filter=-ServerRestart*)
cluster_test(integration/lib_server_restart integration 1800 program ${_lib_it} --gtest_filter=ServerRestart*)
set_tests_properties(integration/lib_client PROPERTIES ENVIRONMENT PGQPP_LIB_TEST_EXTENSION=pgqpp)
set_tests_properties(integration/lib_pgq35 PROPERTIES ENVIRONMENT PGQPP_LIB_TEST_EXTENSION=pgq)
