// SPDX-License-Identifier: PostgreSQL
// WebTest (web_fixture.hpp).
#include "web_fixture.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace pgqpp_cluster {

void catch_up(pgqpp::Connection& c, const std::string& queue, const std::string& consumer) {
  for (;;) {
    auto batch = c.exec("select pgq.next_batch($1, $2)", {queue, consumer}).get(0, 0);
    if (!batch) return;
    c.exec("select pgq.finish_batch($1::bigint)", {std::string(*batch)});
  }
}

std::string Http::header(const std::string& name) const {
  std::istringstream in(headers);
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || lower(line.substr(0, colon)) != lower(name)) continue;
    std::string v = line.substr(colon + 1);
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    return v;
  }
  return "";
}

void WebTest::start_web(const std::vector<std::string>& args) {
  port = free_port();
  std::vector<std::string> argv = {pgqpp(), "web", "--listen", "127.0.0.1:" + std::to_string(port)};
  if (std::find(args.begin(), args.end(), "--dsn") == args.end())
    argv.insert(argv.end(), {"--dsn", conninfo(dbname)});
  argv.insert(argv.end(), args.begin(), args.end());
  web = std::make_unique<Process>(argv, work + "/web.out");
  ASSERT_TRUE(eventually([&] { return web_output().find("serving http://") != std::string::npos; },
                         std::chrono::seconds(15)))
      << "pgqpp web did not start:\n"
      << web_output();
}

Http WebTest::get(const std::string& path, const std::vector<std::string>& curl_args) const {
  const std::string h = work + "/http.headers", b = work + "/http.body";
  std::string cmd =
      "curl -s --max-time 10 -D " + shell_quote(h) + " -o " + shell_quote(b) + " -w '%{http_code}'";
  for (const auto& a : curl_args) cmd += " " + shell_quote(a);
  cmd += " " + shell_quote("http://127.0.0.1:" + std::to_string(port) + path);
  Http r;
  const std::string code = command_output(cmd);
  r.code = code.empty() ? 0 : std::atoi(code.c_str());
  r.headers = read_file(h);
  r.body = read_file(b);
  return r;
}

}  // namespace pgqpp_cluster
