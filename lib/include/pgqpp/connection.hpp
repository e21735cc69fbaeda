// SPDX-License-Identifier: PostgreSQL
// A connection to a PostgreSQL database.
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pgqpp/param.hpp"
#include "pgqpp/rows.hpp"

namespace pgqpp {

namespace detail {
class PgConn;
}

/// One connection to a database, opened by the constructor and closed by the
/// destructor. Use it from one thread at a time. Statements run on their own
/// (each in its own transaction) unless a Transaction is open on it.
class Connection {
 public:
  /// Connects with a libpq connection string or URI ("dbname=app host=db",
  /// "postgresql://app@db/app"); the PG* environment variables fill in what
  /// it leaves out. Throws connection_lost when the server cannot be reached
  /// or refuses, timeout_error when `connect_timeout` passes first.
  explicit Connection(const std::string& conninfo,
                      std::chrono::milliseconds connect_timeout = std::chrono::seconds(30));
  /// Takes over an open connection (library-internal).
  explicit Connection(std::unique_ptr<detail::PgConn> pg) noexcept;
  /// Connections move; the moved-from one is empty.
  Connection(Connection&&) noexcept;
  /// Closes this connection and takes over `other`.
  Connection& operator=(Connection&& other) noexcept;
  /// Closes the connection (an open transaction rolls back on the server).
  ~Connection();

  /// Runs one statement with parameters $1, $2, ... and returns its rows.
  /// Throws sql_error when the server rejects it, connection_lost when the
  /// connection breaks, timeout_error when the query timeout passes.
  Rows exec(std::string_view sql, std::initializer_list<Param> params = {});
  /// As above, with the parameters in a span.
  Rows exec(std::string_view sql, std::span<const Param> params);

  /// True while a transaction is open (BEGIN was run and not yet ended).
  bool in_transaction() const noexcept;

  /// A client-side limit for every later statement: when it passes, the
  /// statement is cancelled and timeout_error thrown. Zero (the default)
  /// means no limit.
  void set_query_timeout(std::chrono::milliseconds timeout) noexcept;

  /// The library's own handle (library-internal).
  detail::PgConn& pg() noexcept { return *pg_; }

 private:
  std::unique_ptr<detail::PgConn> pg_;
};

}  // namespace pgqpp
