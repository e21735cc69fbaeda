// SPDX-License-Identifier: PostgreSQL
#include "ticker_fixture.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace pgqpp_cluster {

void TickerTest::SetUp() {
  DatabaseTest::SetUp();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  work = cluster_env("PGQPP_TEST_WORK") + "/" + info->test_suite_name() + "." + info->name();
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  log = work + "/ticker.log";
  pidfile = work + "/ticker.pid";
  out = work + "/out";
  err = work + "/err";
  std::ofstream{log};
}

void TickerTest::TearDown() {
  std::string pid = read_file(pidfile);
  if (!pid.empty() && std::stoi(pid) > 0) kill(std::stoi(pid), SIGKILL);
  DatabaseTest::TearDown();
}

std::string TickerTest::pgqpp() const { return cluster_env("PGQPP_BUILD_DIR") + "/cli/pgqpp"; }

int TickerTest::run_ticker(const std::string& args) {
  int status = run_command("timeout 30 '" + pgqpp() + "' ticker " + args + " >'" + out + "' 2>'" +
                           err + "'");
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string TickerTest::write_ini(const std::string& name, const std::string& databases,
                                  const std::string& extra) {
  std::string path = work + "/" + name;
  std::ofstream(path) << "[pgqd]\n"
                      << "base_connstr = host=" << cluster_env("PGHOST")
                      << " port=" << cluster_env("PGPORT") << " user=" << cluster_env("PGUSER")
                      << "\ninitial_database = postgres\n"
                      << "database_list = " << databases << "\nlogfile = " << log
                      << "\nsyslog = 0\nticker_period = 0.2\nretry_period = 0.3\n"
                      << "maint_period = 0.5\ncheck_period = 0.5\nstats_period = 1\n"
                      << extra;
  return path;
}

bool TickerTest::log_has(const std::string& pattern) const {
  std::regex re(pattern);
  std::istringstream in(read_file(log));
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, re)) return true;
  return false;
}

bool TickerTest::wait_log(const std::string& pattern, int seconds) const {
  return eventually([&] { return log_has(pattern); }, std::chrono::seconds(seconds));
}

namespace {

std::string next_batch(pgqpp::Connection& c) {
  pgqpp::Rows r = c.exec("select pgq.next_batch('q', 'c')");
  return std::string(r.get(0, 0).value_or(""));
}

}  // namespace

bool batch_has(pgqpp::Connection& c, const std::string& data) {
  std::string b = next_batch(c);
  if (b.empty()) return false;
  pgqpp::Rows r =
      c.exec("select count(*) from pgq.get_batch_events($1::bigint) where ev_data = $2", {b, data});
  bool held = r.get(0, 0).value_or("") == "1";
  c.exec("select pgq.finish_batch($1::bigint)", {b});
  return held;
}

bool retry_from_batch(pgqpp::Connection& c, const std::string& data) {
  std::string b = next_batch(c);
  if (b.empty()) return false;
  c.exec(
      "select pgq.event_retry($1::bigint, ev_id, 0) from pgq.get_batch_events($1::bigint) "
      "where ev_data = $2",
      {b, data});
  c.exec("select pgq.finish_batch($1::bigint)", {b});
  return true;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string scrape(int port, const std::string& path) {
  return command_output("curl -s 'http://127.0.0.1:" + std::to_string(port) + path + "'");
}

std::string metric(const std::string& scraped, const std::string& name, const std::string& labels) {
  std::string head = labels.empty() ? name + " " : name + "{" + labels + "} ";
  std::istringstream in(scraped);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(head, 0) == 0) return line.substr(head.size());
  return "";
}

}  // namespace pgqpp_cluster
