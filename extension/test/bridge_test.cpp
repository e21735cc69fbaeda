// SPDX-License-Identifier: PostgreSQL
// Test-only module (never installed) proving the error bridge inside a real
// backend: see extension/test/sql/01_bridge.sql and
// tests/integration/valgrind_backend.sh.
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_MODULE_MAGIC;
}

namespace {

// Counts destructor runs, so the test can see that unwinding happened.
int destructors_run = 0;

struct Tracked {
  std::vector<int> payload = std::vector<int>(1000, 7);
  ~Tracked() { ++destructors_run; }
};

}  // namespace

using namespace pgqpp::ext;

/// bridge_test_spi_error(sql text) -> void: runs sql through SPI while owning
/// C++ objects; the error must reach the caller with its own SQLSTATE.
PGQPP_FUNCTION(bridge_test_spi_error) {
  Tracked guard;
  std::string sql = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  spi::Session session;
  spi::execute(sql.c_str(), false);
  PG_RETURN_VOID();
}

/// bridge_test_cpp_error(kind text) -> void: throws a C++ exception of the
/// given kind ('own', 'std', 'alloc', 'other').
PGQPP_FUNCTION(bridge_test_cpp_error) {
  Tracked guard;
  std::string kind = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  if (kind == "own")
    throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "own error", "With a detail.", "With a hint.");
  if (kind == "std") throw std::runtime_error("a std::runtime_error");
  if (kind == "alloc") throw std::bad_alloc();
  throw 42;
}

/// bridge_test_throw_in_pg_call() -> void: a C++ exception thrown inside a
/// pg_call body and caught by the caller, then a PostgreSQL error raised
/// through pg_call. The error must reach the client as a plain SQL error: had
/// the exception left PostgreSQL's error stack pointing at pg_call's dead
/// frame, the error would longjmp into it and crash the backend.
PGQPP_FUNCTION(bridge_test_throw_in_pg_call) {
  bool caught = false;
  try {
    pg_call([] { throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "thrown inside pg_call"); });
  } catch (const Error&) {
    caught = true;
  }
  pg_call([&] {
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("raised after a C++ exception left pg_call (caught: %s)",
                           caught ? "yes" : "no")));
  });
  PG_RETURN_VOID();
}

/// bridge_test_destructors() -> int: how many Tracked objects were destroyed
/// in this backend so far.
PGQPP_FUNCTION(bridge_test_destructors) { PG_RETURN_INT32(destructors_run); }

/// bridge_test_unguarded_leak() -> void: the mistake the bridge exists to
/// prevent, kept as the control of tests/integration/valgrind_backend.sh. A
/// frame owning a heap-backed std::string raises a PostgreSQL error directly,
/// not through pg_call(), so the longjmp skips the string's destructor and its
/// buffer leaks; the valgrind check must report exactly that. Nothing else
/// may call it.
PGQPP_FUNCTION(bridge_test_unguarded_leak) {
  std::string owned(4096, 'x');
  ereport(ERROR, (errmsg("unguarded error owning %zu bytes starting with %.8s", owned.size(),
                         owned.c_str())));
  PG_RETURN_VOID();
}
