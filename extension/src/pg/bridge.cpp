// SPDX-License-Identifier: PostgreSQL
// The bridge between C++ exceptions and PostgreSQL errors: see bridge.hpp.
#include "pg/bridge.hpp"

#include <new>

namespace pgqpp::ext {

const char* PgError::what() const noexcept {
  return data_ != nullptr && data_->message != nullptr ? data_->message : "PostgreSQL error";
}

ErrorData* capture_error(MemoryContext cxt) {
  MemoryContextSwitchTo(cxt);
  ErrorData* data = CopyErrorData();
  FlushErrorState();
  return data;
}

void throw_null_argument(const char* what) {
  throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(what) + " must not be NULL");
}

namespace {

// What an exception of our own turns into, copied into palloc memory without
// ever raising an error (no longjmp may leave a catch handler).
struct PendingError {
  int sqlstate = 0;
  const char* message = nullptr;
  const char* detail = nullptr;
  const char* hint = nullptr;
};

const char* copy_text(const std::string& text, const char* fallback) noexcept {
  if (text.empty()) return fallback;
  auto* out = static_cast<char*>(
      MemoryContextAllocExtended(CurrentMemoryContext, text.size() + 1, MCXT_ALLOC_NO_OOM));
  if (out == nullptr) return fallback;
  memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

}  // namespace

Datum run_sql_body(FunctionCallInfo fcinfo, SqlBody body) {
  ErrorData* pg_error = nullptr;
  PendingError own;
  Datum result = 0;
  try {
    result = body(fcinfo);
  } catch (const PgError& e) {
    pg_error = e.data();
  } catch (const Error& e) {
    own.sqlstate = e.sqlstate();
    own.message = copy_text(e.message(), "pgqpp error");
    own.detail = copy_text(e.detail(), nullptr);
    own.hint = copy_text(e.hint(), nullptr);
  } catch (const std::bad_alloc&) {
    own.sqlstate = ERRCODE_OUT_OF_MEMORY;
    own.message = "out of memory";
  } catch (const std::exception& e) {
    own.sqlstate = ERRCODE_INTERNAL_ERROR;
    own.message = copy_text(e.what(), "unexpected C++ exception");
  } catch (...) {
    own.sqlstate = ERRCODE_INTERNAL_ERROR;
    own.message = "unexpected C++ exception";
  }
  // Every catch handler has closed and every destructor has run: only now
  // may control leave by longjmp.
  if (pg_error != nullptr) ReThrowError(pg_error);
  if (own.sqlstate != 0) {
    ereport(ERROR, (errcode(own.sqlstate), errmsg_internal("%s", own.message),
                    own.detail ? errdetail_internal("%s", own.detail) : 0,
                    own.hint ? errhint("%s", own.hint) : 0));
  }
  return result;
}

}  // namespace pgqpp::ext
