// SPDX-License-Identifier: PostgreSQL
#include "pg/conn.hpp"

#include <poll.h>

#include <cerrno>

#include "pg/errors.hpp"
#include "pg/params.hpp"

namespace pgqpp::detail {

namespace {

// How long a cancelled statement may take to end before the connection is
// given up.
constexpr std::chrono::seconds cancel_grace{5};

int poll_timeout_ms(std::optional<PgConn::Clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - PgConn::Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// poll() on the socket (for `events`) and an optional interrupt fd.
PgConn::Wait poll_socket(int sock, short events, std::optional<PgConn::Clock::time_point> deadline,
                         int interrupt_fd) {
  pollfd fds[2] = {{sock, events, 0}, {interrupt_fd, POLLIN, 0}};
  for (;;) {
    int n = poll(fds, interrupt_fd >= 0 ? 2 : 1, poll_timeout_ms(deadline));
    if (n < 0 && errno == EINTR) continue;  // a signal (perhaps our stop handler): look again
    if (n <= 0) return PgConn::Wait::timeout;
    if (interrupt_fd >= 0 && fds[1].revents) return PgConn::Wait::interrupted;
    return PgConn::Wait::ready;
  }
}

void ignore_notice(void*, const char*) {}

}  // namespace

std::unique_ptr<PgConn> PgConn::open(const std::string& conninfo, std::chrono::milliseconds timeout,
                                     int interrupt_fd) {
  PGconn* raw = PQconnectStart(conninfo.c_str());
  if (raw == nullptr) throw_connection_lost(nullptr, {}, "out of memory opening a connection");
  std::unique_ptr<PgConn> conn(new PgConn(raw));
  auto deadline = Clock::now() + timeout;
  // PQconnectPoll's state machine: wait for what it asks, until OK or FAILED.
  for (PostgresPollingStatusType st = PGRES_POLLING_WRITING;;) {
    if (st == PGRES_POLLING_OK) break;
    if (st == PGRES_POLLING_FAILED || PQstatus(raw) == CONNECTION_BAD)
      throw_connection_lost(raw, {}, "could not connect");
    short events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    Wait w = poll_socket(PQsocket(raw), events, deadline, interrupt_fd);
    if (w == Wait::interrupted) return nullptr;
    if (w == Wait::timeout) throw_timeout(raw, {}, "timeout while connecting to the server", false);
    st = PQconnectPoll(raw);
  }
  if (PQsetnonblocking(raw, 1) != 0)
    throw_connection_lost(raw, {}, "cannot make the connection non-blocking");
  return conn;
}

PgConn::~PgConn() { PQfinish(conn_); }

bool PgConn::in_transaction() const noexcept {
  PGTransactionStatusType s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

void PgConn::silence_notices() noexcept { PQsetNoticeProcessor(conn_, ignore_notice, nullptr); }

std::optional<PgConn::Clock::time_point> PgConn::deadline() const {
  if (query_timeout_.count() <= 0) return std::nullopt;
  return Clock::now() + query_timeout_;
}

PgConn::Wait PgConn::wait_readable(std::optional<Clock::time_point> deadline, int interrupt_fd) {
  return poll_socket(PQsocket(conn_), POLLIN, deadline, interrupt_fd);
}

void PgConn::consume_input(std::string_view query) {
  if (PQconsumeInput(conn_) == 0) {
    broken_ = true;
    throw_connection_lost(conn_, query);
  }
}

bool PgConn::drain_notifications() noexcept {
  bool any = false;
  while (PGnotify* n = PQnotifies(conn_)) {
    PQfreemem(n);
    any = true;
  }
  return any;
}

// Non-blocking sends may leave data in libpq's buffer: push it out, reading
// meanwhile so that a server blocked on a full output buffer can go on.
void PgConn::flush(std::string_view query) {
  for (;;) {
    int r = PQflush(conn_);
    if (r == 0) return;
    if (r < 0) {
      broken_ = true;
      throw_connection_lost(conn_, query);
    }
    if (poll_socket(PQsocket(conn_), POLLIN | POLLOUT, std::nullopt, -1) == Wait::ready)
      consume_input(query);
  }
}

void PgConn::send(std::string_view sql, std::span<const Param> params, Format format) {
  std::string text(sql);  // libpq wants a C string
  PackedParams packed(params);
  if (!PQsendQueryParams(conn_, text.c_str(), packed.count(), nullptr, packed.values(), nullptr,
                         nullptr, static_cast<int>(format))) {
    if (PQstatus(conn_) == CONNECTION_BAD) {
      broken_ = true;
      throw_connection_lost(conn_, sql);
    }
    throw_usage("cannot send a statement now: " + std::string(PQerrorMessage(conn_)));
  }
  flush(sql);
}

bool PgConn::await_result(std::string_view query, int interrupt_fd) {
  auto until = deadline();
  while (PQisBusy(conn_)) {
    Wait w = wait_readable(until, interrupt_fd);
    if (w == Wait::interrupted) return false;
    if (w == Wait::timeout) cancel_after_timeout(query);
    consume_input(query);
  }
  return true;
}

PgResult PgConn::next_result(std::string_view query) {
  await_result(query);
  PgResult r(PQgetResult(conn_));
  if (!r && PQstatus(conn_) == CONNECTION_BAD) {
    broken_ = true;
    throw_connection_lost(conn_, query);
  }
  return r;
}

PgResult PgConn::finish_results(std::string_view query) {
  PgResult first_error, last;
  while (PgResult r = next_result(query)) {
    ExecStatusType st = PQresultStatus(r.get());
    bool failed = st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR;
    if (failed && !first_error)
      first_error = std::move(r);
    else
      last = std::move(r);
  }
  if (first_error) throw_result_error(conn_, first_error.get(), query);
  if (PQstatus(conn_) == CONNECTION_BAD) {
    broken_ = true;
    throw_connection_lost(conn_, query);
  }
  return last;
}

PgResult PgConn::exec(std::string_view sql, std::span<const Param> params) {
  send(sql, params);
  return finish_results(sql);
}

std::vector<PgResult> PgConn::pipeline(std::span<const Statement> statements) {
  if (!PQenterPipelineMode(conn_))
    throw_usage("cannot enter pipeline mode: a statement is running");
  // Leave pipeline mode however this ends (results are all read by then).
  struct Exit {
    PGconn* c;
    ~Exit() { PQexitPipelineMode(c); }
  } exit{conn_};
  for (const Statement& s : statements) {
    PackedParams packed(s.params);
    if (!PQsendQueryParams(conn_, s.sql.c_str(), packed.count(), nullptr, packed.values(), nullptr,
                           nullptr, 0))
      throw_connection_lost(conn_, s.sql);
  }
  if (!PQpipelineSync(conn_)) throw_connection_lost(conn_, "pipeline sync");
  flush("pipeline");
  // Results arrive in order, each statement's followed by a null result,
  // then the sync marker. After a failure the statements skipped come as
  // PGRES_PIPELINE_ABORTED.
  std::vector<PgResult> results;
  results.reserve(statements.size());
  PgResult first_error;
  std::string_view failed_sql;
  for (;;) {
    std::string_view sql = results.size() < statements.size()
                               ? std::string_view(statements[results.size()].sql)
                               : std::string_view("pipeline sync");
    PgResult r = next_result(sql);
    if (!r) continue;
    ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_PIPELINE_SYNC) break;
    if (results.size() == statements.size())
      throw_connection_lost(conn_, "pipeline", "pipeline out of step");
    if (st == PGRES_FATAL_ERROR && !first_error) {
      failed_sql = sql;
      first_error = std::move(r);
      results.emplace_back();
    } else {
      results.push_back(std::move(r));
    }
  }
  if (first_error) throw_result_error(conn_, first_error.get(), failed_sql);
  return results;
}

// Sends a cancel request and reads the statement's end (57014,
// query_canceled, or its result) so the connection can be used again; if it
// does not come, the connection is given up. True when it came.
bool PgConn::cancel_and_drain() noexcept {
  bool landed = false;
  if (PGcancel* c = PQgetCancel(conn_)) {
    char err[256];
    landed = PQcancel(c, err, sizeof err) == 1;
    PQfreeCancel(c);
  }
  auto grace = Clock::now() + cancel_grace;
  while (landed && PQisBusy(conn_)) {
    if (wait_readable(grace, -1) != Wait::ready || PQconsumeInput(conn_) == 0) landed = false;
  }
  if (landed) {
    while (PgResult r{PQgetResult(conn_)}) {
    }
  } else {
    broken_ = true;
  }
  return landed;
}

void PgConn::cancel_after_timeout(std::string_view query) {
  std::string message = "query timeout of " + std::to_string(query_timeout_.count()) + " ms passed";
  bool landed = cancel_and_drain();
  throw_timeout(conn_, query, message, landed);
}

void PgConn::cancel_statement() noexcept { (void)cancel_and_drain(); }

}  // namespace pgqpp::detail
