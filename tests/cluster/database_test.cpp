// SPDX-License-Identifier: PostgreSQL
#include "database_test.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pgqpp_cluster {

namespace {

// fixture.sh's file: lines `export NAME=VALUE`, VALUE quoted by printf %q
// (plain paths and numbers, '' when empty, a backslash before anything else).
class ClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* file = std::getenv("PGQPP_CLUSTER_ENV");
    std::ifstream in(file ? file : "");
    if (!in)
      FAIL() << "no test cluster (PGQPP_CLUSTER_ENV names no readable file): run these "
                "tests through ctest, which starts the cluster (cluster/start)";
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("export ", 0) != 0) continue;
      auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string name = line.substr(7, eq - 7), quoted = line.substr(eq + 1), value;
      if (quoted != "''")
        for (std::size_t i = 0; i < quoted.size(); ++i)
          value += quoted[i] == '\\' && i + 1 < quoted.size() ? quoted[++i] : quoted[i];
      setenv(name.c_str(), value.c_str(), 1);
    }
  }
};

const auto* registered = ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

std::string server_log() { return cluster_env("PGQPP_TEST_DATA") + "/../server.log"; }

long file_size(const std::string& path) {
  std::ifstream f(path, std::ios::ate | std::ios::binary);
  return f ? static_cast<long>(f.tellg()) : 0;
}

// The lines of the server log after `from` that show a crashed backend.
std::string crash_lines(long from) {
  std::ifstream f(server_log(), std::ios::binary);
  f.seekg(from);
  std::string line, found;
  while (std::getline(f, line))
    if (line.find("terminated by signal") != std::string::npos ||
        line.find("was terminated by exception") != std::string::npos)
      found += line + "\n";
  return found;
}

void drop_database(const std::string& name) {
  pgqpp::Connection admin(conninfo("postgres"));
  admin.exec("drop database if exists \"" + name + "\" with (force)");
}

}  // namespace

std::string cluster_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) throw std::runtime_error(std::string(name) + " is not set (no test cluster)");
  return v;
}

int run_command(const std::string& command) { return std::system(command.c_str()); }

std::string conninfo(const std::string& name) {
  return "dbname=" + name + " options='-c statement_timeout=120s'";
}

void DatabaseTest::SetUp() {
  log_start_ = file_size(server_log());
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "_" + info->name();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::isalnum(c) ? std::tolower(c) : '_'; });
  dbname = "it_" + name.substr(0, 40) + "_" + std::to_string(getpid());
  drop_database(dbname);
  pgqpp::Connection(conninfo("postgres")).exec("create database \"" + dbname + "\"");
  databases_.push_back(dbname);
  db = std::make_unique<pgqpp::Connection>(conninfo(dbname));
  db->exec("create extension pgqpp");
}

void DatabaseTest::TearDown() {
  db.reset();
  if (!std::getenv("KEEP_TEST_WORK"))
    for (const std::string& name : databases_) drop_database(name);
  std::string crashed = crash_lines(log_start_);
  EXPECT_EQ(crashed, "") << "a backend of the test cluster crashed during this test (from "
                         << server_log() << ")";
}

std::string DatabaseTest::create_database(const std::string& suffix) {
  std::string name = dbname + "_" + suffix;
  drop_database(name);
  pgqpp::Connection(conninfo("postgres")).exec("create database \"" + name + "\"");
  databases_.push_back(name);
  return name;
}

std::string first_value(pgqpp::Connection& c, const std::string& sql) {
  pgqpp::Rows r = c.exec(sql);
  if (r.size() == 0 || r.columns() == 0) return "";
  return std::string(r.get(0, 0).value_or(""));
}

std::string DatabaseTest::q(const std::string& sql, pgqpp::Connection* c) {
  return first_value(c ? *c : *db, sql);
}

std::string DatabaseTest::rows(const std::string& sql, pgqpp::Connection* c) {
  pgqpp::Rows r = (c ? *c : *db).exec(sql);
  std::ostringstream out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    for (int j = 0; j < r.columns(); ++j) out << (j ? "|" : "") << r.get(i, j).value_or("");
    out << "\n";
  }
  return out.str();
}

void DatabaseTest::tick(const std::string& queue, pgqpp::Connection* c) {
  (c ? *c : *db).exec("select pgq.force_tick($1)", {queue});
  (c ? *c : *db).exec("select pgq.ticker($1)", {queue});
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace pgqpp_cluster
