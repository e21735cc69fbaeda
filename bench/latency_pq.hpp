// SPDX-License-Identifier: PostgreSQL
// A minimal libpq connection for the latency probe: one statement at a time,
// any error ends the program with one line (a benchmark has nothing to
// recover).
#pragma once

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

namespace latency {

class Pq {
 public:
  explicit Pq(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) fail("connect");
    // Notices ("... does not exist, skipping") are not results: keep them
    // out of the probe's report.
    PQsetNoticeProcessor(
        c_, [](void*, const char*) {}, nullptr);
  }
  ~Pq() { PQfinish(c_); }
  Pq(const Pq&) = delete;
  Pq& operator=(const Pq&) = delete;

  /// Runs `sql` with text parameters $1.. and returns the first value of the
  /// first row ("" when there is none or it is NULL).
  std::string value(const std::string& sql, std::initializer_list<std::string> params) {
    PGresult* r = exec(sql, params);
    std::string out = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    return out;
  }

  /// Runs `sql` and calls `f` with the first column of every row.
  template <class F>
  void each_row(const std::string& sql, std::initializer_list<std::string> params, F&& f) {
    PGresult* r = exec(sql, params);
    for (int i = 0; i < PQntuples(r); ++i) f(PQgetvalue(r, i, 0));
    PQclear(r);
  }

  int socket() const { return PQsocket(c_); }
  void consume_input() {
    if (!PQconsumeInput(c_)) fail("read");
  }

  /// Calls `f` with the payload of every notification libpq holds; returns
  /// whether there was one.
  template <class F>
  bool take_notifications(F&& f) {
    bool any = false;
    while (PGnotify* n = PQnotifies(c_)) {
      any = true;
      f(static_cast<const char*>(n->extra));
      PQfreemem(n);
    }
    return any;
  }

 private:
  PGresult* exec(const std::string& sql, std::initializer_list<std::string> params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      PQclear(r);
      fail(sql);
    }
    return r;
  }

  [[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "latency_probe: %s: %s", what.c_str(), PQerrorMessage(c_));
    std::exit(1);
  }

  PGconn* c_;
};

}  // namespace latency
