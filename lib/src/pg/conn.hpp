// SPDX-License-Identifier: PostgreSQL
// The library's one libpq connection type: a non-blocking PGconn whose every
// wait goes through poll(), so that timeouts and stop requests can cut in.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pg/result.hpp"
#include "pgqpp/param.hpp"

namespace pgqpp::detail {

/// One statement of a pipeline.
struct Statement {
  std::string sql;
  std::vector<Param> params;  ///< views: the texts must outlive the pipeline
};

class PgConn {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Wait { ready, timeout, interrupted };
  enum class Format { text = 0, binary = 1 };

  /// Connects. Gives up with timeout_error after `timeout`; returns nullptr
  /// when `interrupt_fd` (if not -1) turns readable first. Throws
  /// connection_lost when the server cannot be reached or refuses.
  static std::unique_ptr<PgConn> open(const std::string& conninfo,
                                      std::chrono::milliseconds timeout, int interrupt_fd = -1);
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;
  ~PgConn();

  /// The libpq handle, for the stream readers in lib/src.
  PGconn* raw() const noexcept { return conn_; }
  /// False once the connection broke (or a cancel did not land).
  bool ok() const noexcept { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }
  /// True inside a transaction block (also an aborted one).
  bool in_transaction() const noexcept;
  /// A client-side limit for each later statement; zero for none.
  void set_query_timeout(std::chrono::milliseconds t) noexcept { query_timeout_ = t; }
  /// Drops the server's NOTICE and WARNING messages instead of printing them
  /// to stderr (libpq's default), for the consumer's own connections.
  void silence_notices() noexcept;

  /// Runs one statement and returns its result; throws on failure.
  PgResult exec(std::string_view sql, std::span<const Param> params = {});
  /// Runs `statements` in one round trip (libpq pipeline mode). Outside a
  /// transaction block they form one implicit transaction: all or none.
  /// Returns their results in order; throws the first failure.
  std::vector<PgResult> pipeline(std::span<const Statement> statements);

  /// Sends one statement without waiting for its result, asking for its
  /// rows in `format`.
  void send(std::string_view sql, std::span<const Param> params = {}, Format format = Format::text);
  /// Waits until a result can be read without blocking; false when
  /// `interrupt_fd` turned readable first.
  bool await_result(std::string_view query, int interrupt_fd = -1);
  /// The next result of the statement sent (nullptr after the last one),
  /// waiting for it under the query timeout.
  PgResult next_result(std::string_view query);
  /// Reads the remaining results of a statement; throws its error if any.
  PgResult finish_results(std::string_view query);

  /// Cancels the statement running now and reads its end, whatever it is
  /// (57014 query_canceled, or its result if it finished first). When the
  /// end does not come within a few seconds the connection counts as
  /// broken (ok() is false) instead.
  void cancel_statement() noexcept;
  /// Waits until the socket is readable, the deadline passes or
  /// `interrupt_fd` (if not -1) is readable.
  Wait wait_readable(std::optional<Clock::time_point> deadline, int interrupt_fd = -1);
  /// Reads what the socket has (results, notifications); throws
  /// connection_lost when the connection broke.
  void consume_input(std::string_view query = {});
  /// Frees pending notifications; true when there was at least one.
  bool drain_notifications() noexcept;

 private:
  explicit PgConn(PGconn* conn) noexcept : conn_(conn) {}
  void flush(std::string_view query);
  std::optional<Clock::time_point> deadline() const;
  [[noreturn]] void cancel_after_timeout(std::string_view query);
  bool cancel_and_drain() noexcept;

  PGconn* conn_;
  bool broken_ = false;
  std::chrono::milliseconds query_timeout_{0};
};

}  // namespace pgqpp::detail
