// SPDX-License-Identifier: PostgreSQL
// The exceptions libpgqpp throws: one class, pgqpp::error, and four kinds of
// it. Every error says whether the connection and its transaction can still
// be used, so a caller can decide between retrying, rolling back and
// reconnecting without knowing where the error came from.
//
// The kinds are named like the standard library's exceptions (lower case),
// as libpqxx's are; every other pgqpp type is PascalCase.
#pragma once

#include <stdexcept>
#include <string>

namespace pgqpp {

/// Any failure reported by libpgqpp. Catch this to handle them all.
class error : public std::runtime_error {
 public:
  /// Everything an error carries; the server's fields are empty when the
  /// error did not come from the server.
  struct Details {
    std::string message;              ///< primary message (the server's, or ours)
    std::string sqlstate;             ///< five-character SQLSTATE, empty if none
    std::string detail;               ///< the server's DETAIL, empty if none
    std::string hint;                 ///< the server's HINT, empty if none
    std::string query;                ///< the statement that failed, empty if none
    bool connection_usable = false;   ///< the connection can run further statements
    bool transaction_usable = false;  ///< the open transaction (if any) can continue
  };

  /// An error with the given details; what() is the message.
  explicit error(Details details);

  /// The SQLSTATE the server sent (e.g. "23505"), or "" when none.
  const std::string& sqlstate() const noexcept { return details_.sqlstate; }
  /// The server's DETAIL line, or "".
  const std::string& detail() const noexcept { return details_.detail; }
  /// The server's HINT line, or "".
  const std::string& hint() const noexcept { return details_.hint; }
  /// The SQL statement that failed, or "" when the error was not a statement's.
  const std::string& query() const noexcept { return details_.query; }
  /// True when the connection can still run statements (after ROLLBACK if
  /// transaction_usable() is false); false when it must be reopened.
  bool connection_usable() const noexcept { return details_.connection_usable; }
  /// True when the transaction that was open (if any) can go on; false when
  /// it is aborted and only ROLLBACK is possible, or the connection is gone.
  bool transaction_usable() const noexcept { return details_.transaction_usable; }

 private:
  Details details_;
};

/// The connection to the server is gone (or could not be opened). Nothing
/// on it is usable; open a new one. Consumers reconnect by themselves.
class connection_lost : public error {
 public:
  /// See error::error.
  using error::error;
};

/// The server rejected a statement; sqlstate() says why.
class sql_error : public error {
 public:
  /// See error::error.
  using error::error;
};

/// The library was called in a way it does not allow (for example a
/// Transaction on a connection that already has one). Nothing was sent.
class usage_error : public error {
 public:
  /// See error::error.
  using error::error;
};

/// A deadline set through libpgqpp (connect or query timeout) passed; the
/// statement was cancelled.
class timeout_error : public error {
 public:
  /// See error::error.
  using error::error;
};

}  // namespace pgqpp
