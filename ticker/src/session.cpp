// SPDX-License-Identifier: PostgreSQL
// One non-blocking libpq connection: see session.hpp.
#include "session.hpp"

#include <poll.h>

namespace pgqpp::ticker {

static std::string conn_value(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string conninfo_for(const std::string& base, const std::string& dbname,
                         const std::string& application_name) {
  return base + " dbname=" + conn_value(dbname) +
         " application_name=" + conn_value(application_name);
}

bool Session::connect(const std::string& conninfo) {
  close();
  conn_ = PQconnectStart(conninfo.c_str());
  if (conn_ == nullptr) return fail("out of memory");
  if (PQstatus(conn_) == CONNECTION_BAD) return fail(PQerrorMessage(conn_));
  PQsetnonblocking(conn_, 1);
  state_ = State::connecting;
  polling_ = PGRES_POLLING_WRITING;
  return true;
}

void Session::close() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  state_ = State::down;
  jobs_.clear();
  prepared_.clear();
}

// libpq's messages span lines; log lines must not.
static std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool Session::fail(const std::string& what) {
  error_ = one_line(what);
  close();
  return false;
}

void Session::run(std::string sql, std::vector<std::string> params, Handler handler,
                  ErrorHandler on_error) {
  jobs_.push_back(
      Job{std::move(sql), std::move(params), std::move(handler), std::move(on_error), {}, false});
  if (state_ == State::ready) start_next();
}

void Session::run_prepared(std::string name, std::string sql, std::vector<std::string> params,
                           Handler handler, ErrorHandler on_error) {
  jobs_.push_back(Job{std::move(sql), std::move(params), std::move(handler), std::move(on_error),
                      std::move(name)});
  if (state_ == State::ready) start_next();
}

int Session::socket() const { return conn_ != nullptr ? PQsocket(conn_) : -1; }

short Session::poll_events() const {
  switch (state_) {
    case State::down:
      return 0;
    case State::connecting:
      return polling_ == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    case State::ready:
      return POLLIN;  // notices, or the server going away
    case State::busy:
      return static_cast<short>(POLLIN | (want_write_ ? POLLOUT : 0));
  }
  return 0;
}

bool Session::start_next() {
  if (jobs_.empty()) {
    state_ = State::ready;
    return true;
  }
  Job& job = jobs_.front();
  std::vector<const char*> values;
  for (const auto& p : job.params) values.push_back(p.c_str());
  const int n = static_cast<int>(values.size());
  int sent = 0;
  if (job.name.empty()) {
    sent =
        PQsendQueryParams(conn_, job.sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0);
  } else if (prepared_.count(job.name) == 0) {
    job.preparing = true;  // the statement itself is sent once this completes
    sent = PQsendPrepare(conn_, job.name.c_str(), job.sql.c_str(), n, nullptr);
  } else {
    sent = PQsendQueryPrepared(conn_, job.name.c_str(), n, values.data(), nullptr, nullptr, 0);
  }
  if (sent == 0) return fail(PQerrorMessage(conn_));
  state_ = State::busy;
  want_write_ = PQflush(conn_) == 1;
  return true;
}

bool Session::read_results() {
  if (PQconsumeInput(conn_) == 0) return fail(PQerrorMessage(conn_));
  while (state_ == State::busy && PQisBusy(conn_) == 0) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr && jobs_.front().preparing && job_error_.empty()) {
      // Prepared: now run it (the job stays at the front).
      jobs_.front().preparing = false;
      prepared_.insert(jobs_.front().name);
      if (!start_next()) return false;
      continue;
    }
    if (r == nullptr) {  // the statement is complete
      Job done = std::move(jobs_.front());
      jobs_.pop_front();
      std::string error = std::move(job_error_);
      job_error_.clear();
      if (!error.empty() && done.on_error)
        done.on_error(job_sqlstate_, error);
      else if (!error.empty() && on_sql_error)
        on_sql_error(done.sql, job_sqlstate_, error);
      if (state_ != State::down && !start_next()) return false;
      continue;
    }
    Result result(r);
    ExecStatusType status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      // A failed statement (the connection is fine): report it once the
      // statement is complete, then go on with the next job.
      job_error_ = one_line(PQresultErrorMessage(r));
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      job_sqlstate_ = state != nullptr ? state : "";
      continue;
    }
    if (jobs_.front().preparing) continue;  // the Prepare's own result
    // Copy the handler: it may queue new jobs, which may move the deque.
    Handler handler = jobs_.front().handler;
    if (handler) handler(result);
    if (state_ == State::down) return true;  // the owner closed it on purpose
  }
  return true;
}

bool Session::on_ready() {
  switch (state_) {
    case State::down:
      return false;
    case State::connecting:
      polling_ = PQconnectPoll(conn_);
      if (polling_ == PGRES_POLLING_FAILED) return fail(PQerrorMessage(conn_));
      if (polling_ == PGRES_POLLING_OK) {
        state_ = State::ready;
        connected_at_ = Clock::now();
        if (on_connected) on_connected();
        if (state_ == State::ready) return start_next();
      }
      return true;
    case State::ready:
      if (PQconsumeInput(conn_) == 0) return fail(PQerrorMessage(conn_));
      if (PQstatus(conn_) == CONNECTION_BAD) return fail("connection lost");
      return true;
    case State::busy:
      if (want_write_) {
        int rc = PQflush(conn_);
        if (rc < 0) return fail(PQerrorMessage(conn_));
        want_write_ = rc == 1;
      }
      return read_results();
  }
  return false;
}

}  // namespace pgqpp::ticker
