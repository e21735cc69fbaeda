// SPDX-License-Identifier: PostgreSQL
#include "pg/errors.hpp"

namespace pgqpp::detail {

namespace {

std::string field(const PGresult* r, int code) {
  const char* v = r ? PQresultErrorField(r, code) : nullptr;
  return v ? v : "";
}

// libpq messages end with a newline; exceptions' texts should not.
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool transaction_usable(PGconn* conn) {
  PGTransactionStatusType s = PQtransactionStatus(conn);
  return s == PQTRANS_IDLE || s == PQTRANS_INTRANS;
}

}  // namespace

void throw_result_error(PGconn* conn, const PGresult* result, std::string_view query) {
  error::Details d;
  d.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (d.message.empty()) d.message = trimmed(result ? PQresultErrorMessage(result) : "");
  if (d.message.empty()) d.message = trimmed(PQerrorMessage(conn));
  d.sqlstate = field(result, PG_DIAG_SQLSTATE);
  d.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  d.hint = field(result, PG_DIAG_MESSAGE_HINT);
  d.query = std::string(query);
  if (PQstatus(conn) == CONNECTION_BAD) throw connection_lost(std::move(d));
  d.connection_usable = true;
  d.transaction_usable = transaction_usable(conn);
  throw sql_error(std::move(d));
}

void throw_connection_lost(PGconn* conn, std::string_view query, std::string_view fallback) {
  error::Details d;
  d.message = trimmed(conn ? PQerrorMessage(conn) : "");
  if (d.message.empty()) d.message = std::string(fallback);
  d.query = std::string(query);
  throw connection_lost(std::move(d));
}

void throw_usage(std::string message) {
  error::Details d;
  d.message = std::move(message);
  d.connection_usable = true;
  d.transaction_usable = true;
  throw usage_error(std::move(d));
}

void throw_timeout(PGconn* conn, std::string_view query, std::string message,
                   bool connection_usable) {
  error::Details d;
  d.message = std::move(message);
  d.query = std::string(query);
  d.connection_usable = connection_usable;
  d.transaction_usable = connection_usable && conn && transaction_usable(conn);
  throw timeout_error(std::move(d));
}

}  // namespace pgqpp::detail
