// SPDX-License-Identifier: PostgreSQL
// The fixture of the `pgqpp web` cases (web_test.cpp, web_browser_test.cpp):
// a console started on a free port of 127.0.0.1 against the case's
// database, and HTTP requests to it with curl.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "ticker_fixture.hpp"

namespace pgqpp_cluster {

/// One HTTP answer.
struct Http {
  int code = 0;         ///< the status code, 0 when there was no answer
  std::string headers;  ///< the header lines as received
  std::string body;
  /// The value of header `name` (case-insensitive), "" when absent.
  std::string header(const std::string& name) const;
};

class WebTest : public TickerTest {
 protected:
  /// Starts `pgqpp web --listen 127.0.0.1:PORT ARGS` (--dsn of the case's
  /// database unless ARGS has one) and waits until it listens.
  void start_web(const std::vector<std::string>& args = {});
  /// GET `path` with extra curl arguments (e.g. {"-H", "Authorization: ..."}).
  Http get(const std::string& path, const std::vector<std::string>& curl_args = {}) const;
  /// The console's output so far.
  std::string web_output() const { return read_file(work + "/web.out"); }

  int port = 0;
  std::unique_ptr<Process> web;
};

/// Consumes every batch of `queue` ready for `consumer` on `c`.
void catch_up(pgqpp::Connection& c, const std::string& queue, const std::string& consumer);

}  // namespace pgqpp_cluster
