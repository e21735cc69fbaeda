// SPDX-License-Identifier: PostgreSQL
#include "fixture.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <thread>

namespace pgqpp_it {

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Creates the databases before the first test and drops them after the last.
class Databases : public ::testing::Environment {
 public:
  void SetUp() override {
    pgqpp::Connection admin("dbname=postgres");
    for (const std::string& db : {db_name(), target_db_name()}) {
      admin.exec("drop database if exists " + db + " with (force)");
      admin.exec("create database " + db);
    }
    pgqpp::Connection main(db_conninfo());
    main.exec("create extension " + env_or("PGQPP_LIB_TEST_EXTENSION", "pgqpp"));
  }
  void TearDown() override {
    if (std::getenv("PGQPP_LIB_TEST_KEEP_DB")) return;
    pgqpp::Connection admin("dbname=postgres");
    for (const std::string& db : {db_name(), target_db_name()})
      admin.exec("drop database if exists " + db + " with (force)");
  }
};

const auto* registered = ::testing::AddGlobalTestEnvironment(new Databases);

}  // namespace

bool testing_pgqpp() { return env_or("PGQPP_LIB_TEST_EXTENSION", "pgqpp") == "pgqpp"; }

const std::string& db_name() {
  static const std::string name =
      "pgqpp_lib_" + env_or("PGQPP_LIB_TEST_EXTENSION", "pgqpp") + "_" + std::to_string(getpid());
  return name;
}

const std::string& target_db_name() {
  static const std::string name = db_name() + "_target";
  return name;
}

std::string db_conninfo() { return "dbname=" + db_name(); }
std::string target_conninfo() { return "dbname=" + target_db_name(); }

void QueueTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  queue = std::string(info->test_suite_name()) + "_" + info->name();
  std::transform(queue.begin(), queue.end(), queue.begin(),
                 [](unsigned char c) { return std::isalnum(c) ? std::tolower(c) : '_'; });
  // Unique even where long names (parametrized tests) share a prefix.
  static int serial = 0;
  queue = "q" + std::to_string(++serial) + "_" + queue.substr(0, 40);
  db.exec("select pgq.create_queue($1)", {queue});
  db.exec("select pgq.register_consumer($1, 'c')", {queue});
}

std::string QueueTest::scalar(const std::string& sql) {
  pgqpp::Rows rows = db.exec(sql);
  if (rows.size() == 0 || rows.columns() == 0) return "";
  return std::string(rows.get(0, 0).value_or(""));
}

std::vector<std::string> QueueTest::produce(int n, const std::string& type,
                                            const std::string& prefix) {
  std::vector<pgqpp::NewEvent> events;
  std::vector<std::string> datas;
  for (int i = 0; i < n; ++i) {
    datas.push_back(prefix + std::to_string(i));
    events.push_back({type, datas.back()});
  }
  pgqpp::Producer(db, queue).insert_many(events);
  return datas;
}

// pgq.ticker(queue) ticks only when a tick is due; force_tick makes it due.
void QueueTest::tick() {
  db.exec("select pgq.force_tick($1)", {queue});
  db.exec("select pgq.ticker($1)", {queue});
}

void QueueTest::retry_maintenance() {
  db.exec("select pgq.maint_retry_events()");
  tick();
}

pgqpp::ConsumerOptions QueueTest::options(const std::string& consumer) {
  pgqpp::ConsumerOptions o;
  o.queue = queue;
  o.consumer = consumer;
  o.stop_when_idle = true;
  o.poll_interval = std::chrono::milliseconds(100);
  o.reconnect_delay = std::chrono::milliseconds(100);
  return o;
}

bool QueueTest::eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace pgqpp_it
