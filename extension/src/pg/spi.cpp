// SPDX-License-Identifier: PostgreSQL
// SPI helpers: see spi.hpp.
#include "pg/spi.hpp"

#include <exception>
#include <string>
#include <vector>

namespace pgqpp::ext::spi {

Session::Session() : exceptions_at_entry_(std::uncaught_exceptions()) {
  int rc = pg_call([] { return SPI_connect(); });
  if (rc != SPI_OK_CONNECT) throw Error(ERRCODE_INTERNAL_ERROR, "SPI_connect failed");
}

Session::~Session() {
  if (std::uncaught_exceptions() != exceptions_at_entry_) return;
  // SPI_finish reports misuse through its return code, never by longjmp.
  SPI_finish();
}

SPIPlanPtr prepare(SPIPlanPtr& slot, const char* sql, std::initializer_list<Oid> arg_types,
                   PlanMode mode) {
  return prepare(slot, sql, std::vector<Oid>(arg_types), mode);
}

void connect_in_pg_call() {
  if (SPI_connect() != SPI_OK_CONNECT)
    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("SPI_connect failed")));
}

SPIPlanPtr prepare(SPIPlanPtr& slot, const char* sql, const std::vector<Oid>& arg_types,
                   PlanMode mode) {
  if (slot != nullptr) return slot;
  std::vector<Oid> types(arg_types);
  int options = mode == PlanMode::generic  ? CURSOR_OPT_GENERIC_PLAN
                : mode == PlanMode::custom ? CURSOR_OPT_CUSTOM_PLAN
                                           : 0;
  SPIPlanPtr plan = pg_call([&] {
    SPIPlanPtr p = SPI_prepare_cursor(sql, static_cast<int>(types.size()), types.data(), options);
    if (p != nullptr) SPI_keepplan(p);
    return p;
  });
  if (plan == nullptr)
    throw Error(ERRCODE_INTERNAL_ERROR,
                std::string("SPI_prepare failed: ") + SPI_result_code_string(SPI_result));
  slot = plan;
  return plan;
}

static uint64 check(int rc, const char* what) {
  if (rc < 0)
    throw Error(ERRCODE_INTERNAL_ERROR,
                std::string(what) + " failed: " + SPI_result_code_string(rc));
  return SPI_processed;
}

uint64 execute(SPIPlanPtr plan, const Datum* values, const char* nulls, bool read_only,
               long limit) {
  int rc = pg_call(
      [&] { return SPI_execute_plan(plan, const_cast<Datum*>(values), nulls, read_only, limit); });
  return check(rc, "SPI_execute_plan");
}

uint64 execute(const char* sql, bool read_only, long limit) {
  int rc = pg_call([&] { return SPI_execute(sql, read_only, limit); });
  return check(rc, "SPI_execute");
}

void execute_into(const char* sql, DestReceiver* dest) {
  SPIExecuteOptions options;
  memset(&options, 0, sizeof(options));
  options.read_only = false;
  options.dest = dest;
  int rc = pg_call([&] { return SPI_execute_extended(sql, &options); });
  check(rc, "SPI_execute_extended");
}

Datum value(uint64 row, int col, bool* isnull) {
  return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

Datum value(uint64 row, int col) {
  bool isnull = false;
  Datum d = value(row, col, &isnull);
  if (isnull) throw Error(ERRCODE_INTERNAL_ERROR, "unexpected NULL in pgq metadata");
  return d;
}

char* text_value(uint64 row, int col) {
  bool isnull = false;
  Datum d = value(row, col, &isnull);
  if (isnull) return nullptr;
  return pg_call([&] {
    char* s = TextDatumGetCString(d);
    char* out = static_cast<char*>(SPI_palloc(strlen(s) + 1));
    strcpy(out, s);
    return out;
  });
}

Datum transfer(Datum value, bool by_value, int len) {
  return pg_call([&] { return SPI_datumTransfer(value, by_value, len); });
}

}  // namespace pgqpp::ext::spi
