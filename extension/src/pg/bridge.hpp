// SPDX-License-Identifier: PostgreSQL
// The bridge between C++ exceptions and PostgreSQL errors (DESIGN.md §4).
//
// PostgreSQL reports errors with ereport(), which longjmps; C++ unwinds with
// exceptions. Neither may cross the other, so the extension uses exactly two
// tools, both defined here:
//
//  * PGQPP_FUNCTION(name) defines every SQL-callable function. Its body runs
//    inside run_sql_body(), which catches any C++ exception and raises the
//    matching PostgreSQL error only after the catch block has closed and all
//    destructors have run.
//
//  * pg_call(f) is the leaf guard: a frame that owns C++ objects with
//    destructors calls PostgreSQL through it. A PostgreSQL error inside f is
//    caught right there (nothing with a destructor sits between the guard and
//    the failing call), its whole ErrorData copied, the error state flushed,
//    and a PgError thrown; run_sql_body re-raises that ErrorData unchanged, so
//    SQLSTATE, message, detail, hint and context reach the client as
//    PostgreSQL produced them.
//
// Frames that own nothing with a destructor may call PostgreSQL directly: a
// longjmp through them skips nothing.
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// A PostgreSQL error caught by pg_call(), travelling as a C++ exception.
/// The ErrorData lives in the memory context that was current at the guard,
/// which outlives the exception's trip up to run_sql_body().
class PgError : public std::exception {
 public:
  explicit PgError(ErrorData* data) noexcept : data_(data) {}
  ErrorData* data() const noexcept { return data_; }
  const char* what() const noexcept override;

 private:
  ErrorData* data_;
};

/// An error of pgqpp's own: a SQLSTATE (built with MAKE_SQLSTATE, e.g.
/// ERRCODE_INVALID_PARAMETER_VALUE) and texts following PostgreSQL's style
/// guide, except where PgQ's exact wording is kept for compatibility.
class Error : public std::exception {
 public:
  Error(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
      : sqlstate_(sqlstate),
        message_(std::move(message)),
        detail_(std::move(detail)),
        hint_(std::move(hint)) {}
  int sqlstate() const noexcept { return sqlstate_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  int sqlstate_;
  std::string message_, detail_, hint_;
};

/// Copies the current PostgreSQL error into `cxt`, flushes the error state
/// and returns the copy. Only for use inside PG_CATCH.
ErrorData* capture_error(MemoryContext cxt);

/// Runs f, a call into PostgreSQL; a PostgreSQL error inside it becomes a
/// PgError exception. f's result must be a scalar (a Datum, a pointer, a
/// number): nothing with a destructor may live across the longjmp. A C++
/// exception thrown by f is caught inside PG_TRY and rethrown only after
/// PG_END_TRY has restored PostgreSQL's error stack: leaving PG_TRY by an
/// exception would leave PG_exception_stack pointing at this dead frame, and
/// the next error anywhere in the backend would longjmp into it.
template <typename F>
decltype(auto) pg_call(F&& f) {
  using R = std::invoke_result_t<F&>;
  MemoryContext cxt = CurrentMemoryContext;
  // volatile: both are written after setjmp and read after a longjmp.
  ErrorData* volatile err = nullptr;
  // Written only on the path without a longjmp, so it needs no volatile.
  std::exception_ptr thrown;
  if constexpr (std::is_void_v<R>) {
    PG_TRY();
    {
      try {
        f();
      } catch (...) {
        thrown = std::current_exception();
      }
    }
    PG_CATCH();
    { err = capture_error(cxt); }
    PG_END_TRY();
    if (err) throw PgError(err);
    if (thrown) std::rethrow_exception(thrown);
  } else {
    static_assert(std::is_scalar_v<R>,
                  "pg_call: results crossing a longjmp must be scalars (Datum, pointer, number)");
    volatile R result{};
    PG_TRY();
    {
      try {
        result = f();
      } catch (...) {
        thrown = std::current_exception();
      }
    }
    PG_CATCH();
    { err = capture_error(cxt); }
    PG_END_TRY();
    if (err) throw PgError(err);
    if (thrown) std::rethrow_exception(thrown);
    return result;
  }
}

using SqlBody = Datum (*)(FunctionCallInfo);

/// Runs the body of a SQL-callable function and turns any C++ exception into
/// a PostgreSQL error raised after every C++ frame has been unwound.
Datum run_sql_body(FunctionCallInfo fcinfo, SqlBody body);

/// Throws an Error for a NULL argument that the function cannot accept.
[[noreturn]] void throw_null_argument(const char* what);

}  // namespace pgqpp::ext

/// Defines the SQL-callable C function `name` (exported, C linkage) whose body
/// follows the macro and runs inside run_sql_body().
#define PGQPP_FUNCTION(name)                                                               \
  static Datum name##_body(FunctionCallInfo fcinfo);                                       \
  extern "C" {                                                                             \
  PGDLLEXPORT Datum name(PG_FUNCTION_ARGS);                                                \
  PG_FUNCTION_INFO_V1(name);                                                               \
  }                                                                                        \
  Datum name(PG_FUNCTION_ARGS) { return ::pgqpp::ext::run_sql_body(fcinfo, name##_body); } \
  static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo)
