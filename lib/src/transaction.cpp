// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/transaction.hpp"

#include "pg/conn.hpp"
#include "pg/errors.hpp"
#include "pgqpp/connection.hpp"

namespace pgqpp {

Transaction::Transaction(Connection& db) : db_(db) {
  if (db_.in_transaction()) detail::throw_usage("a transaction is already open on this connection");
  db_.exec("begin");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    // A broken connection has no transaction left to roll back.
    if (db_.pg().ok()) db_.exec("rollback");
  } catch (...) {
  }
}

Rows Transaction::exec(std::string_view sql, std::initializer_list<Param> params) {
  return db_.exec(sql, params);
}

Rows Transaction::exec(std::string_view sql, std::span<const Param> params) {
  return db_.exec(sql, params);
}

void Transaction::end(const char* sql) {
  if (!open_) detail::throw_usage("the transaction has already ended");
  open_ = false;
  db_.exec(sql);
}

void Transaction::commit() {
  if (!open_) detail::throw_usage("the transaction has already ended");
  open_ = false;
  // COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK: report
  // it, or the caller would believe its work was saved.
  detail::PgResult r = db_.pg().exec("commit");
  if (std::string_view(PQcmdStatus(r.get())) == "ROLLBACK") {
    error::Details d;
    d.message = "the transaction was rolled back: an earlier statement in it failed";
    d.sqlstate = "25P02";  // in_failed_sql_transaction
    d.query = "commit";
    d.connection_usable = true;
    d.transaction_usable = true;  // it ended; the connection is idle again
    throw sql_error(std::move(d));
  }
}

void Transaction::rollback() { end("rollback"); }

}  // namespace pgqpp
