// SPDX-License-Identifier: PostgreSQL
// `pgqpp demo`: a throwaway PostgreSQL with pgqpp, the ticker, a producer and
// two consumers for a few seconds, live figures, a summary, and nothing left
// behind (the cluster is stopped and its folder removed on every way out,
// Ctrl-C included).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include <pgqpp/connection.hpp>
#include <pgqpp/error.hpp>

#include "child_process.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "demo_cluster.hpp"
#include "demo_traffic.hpp"
#include "extension_name.hpp"
#include "latency_stats.hpp"
#include "log_file.hpp"
#include "number_format.hpp"

namespace pgqpp::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct DemoOptions {
  std::string bindir;
  int seconds = 5;
  int rate = 1000;
  bool web = false;                           // --web: the console runs along
  std::string web_listen = "127.0.0.1:8080";  // --web-listen
};

std::atomic<bool> interrupted{false};

void on_signal(int) { interrupted = true; }

void install_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void say(const std::string& text) {
  if (stdout_is_terminal())
    std::printf("\033[1m==> %s\033[0m\n", text.c_str());
  else
    std::printf("==> %s\n", text.c_str());
  std::fflush(stdout);
}

void check_interrupt() {
  if (interrupted) throw Failure("interrupted; the cluster was stopped and its folder removed");
}

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

// create extension, a queue, two consumers.
void install(Connection& db, const std::vector<std::string>& consumers) {
  try {
    db.exec(std::string("create extension ") + extension_name);
  } catch (const sql_error& e) {
    throw Failure(std::string("create extension ") + extension_name + " failed: " + e.what() +
                  " (run make install, or make demo in a source checkout)");
  }
  db.exec("select pgq.create_queue('orders')");
  for (const auto& c : consumers) db.exec("select pgq.register_consumer('orders', $1)", {c});
}

std::string ms(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, value < 10 ? "%.1f ms" : "%.0f ms", value);
  return buf;
}

// One line of live figures: elapsed, produced and its rate, each
// consumer's count, and the latency of the events read since the last line.
std::string live_line(double elapsed, long long produced, std::vector<ConsumerReport> reports) {
  std::vector<double> recent;
  std::string out;
  char head[64];
  std::snprintf(head, sizeof head, "%5.1f s", elapsed);
  out = std::string(head) + "  produced " + group_digits(produced) + " (" +
        rate(produced, elapsed) + "/s)";
  for (auto& r : reports) {
    out += "  " + r.name + " " + group_digits(r.events);
    recent.insert(recent.end(), r.latency_ms.begin(), r.latency_ms.end());
  }
  if (!recent.empty()) {
    double p50 = percentile(recent, 50), p99 = percentile(recent, 99);
    out += "  latency p50 " + ms(p50) + " p99 " + ms(p99);
  }
  return out;
}

// Shows live figures until `seconds` pass (or an interrupt, an error, the
// ticker's end): one line rewritten in place on a terminal, else a line a second.
void show_live(DemoTraffic& traffic, ChildProcess& ticker, int seconds,
               const std::string& ticker_log) {
  const bool terminal = stdout_is_terminal();
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  auto next_line = start + std::chrono::seconds(1);
  while (Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    check_interrupt();
    if (std::string e = traffic.error(); !e.empty()) throw Failure(e);
    if (!ticker.running()) throw Failure("the ticker stopped: " + last_line(ticker_log));
    auto now = Clock::now();
    if (now < next_line) continue;
    next_line = now + std::chrono::milliseconds(terminal ? 250 : 1000);
    double elapsed = std::chrono::duration<double>(now - start).count();
    std::string line = live_line(elapsed, traffic.produced(), traffic.snapshot(true));
    if (terminal)
      std::printf("\r\033[K%s", line.c_str());
    else
      std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  if (terminal) std::printf("\n");
}

// After the producer stopped: waits (up to 10 s) until every consumer has
// read as many events as were produced.
void drain(DemoTraffic& traffic) {
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    check_interrupt();
    bool all = true;
    for (const auto& r : traffic.snapshot(false)) all = all && r.events >= traffic.produced();
    if (all) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Prints the summary; returns false when an event was lost or duplicated.
bool summarize(long long produced, std::vector<ConsumerReport> reports, double seconds,
               int asked_rate) {
  say("summary");
  std::printf("  %-22s %s in %.1f s (%s events/s; %s asked)\n", "events produced",
              group_digits(produced).c_str(), seconds, rate(produced, seconds).c_str(),
              group_digits(asked_rate).c_str());
  bool ok = true;
  for (auto& r : reports) {
    double p50 = percentile(r.latency_ms, 50), p99 = percentile(r.latency_ms, 99);
    long long lost = produced - r.distinct, duplicated = r.events - r.distinct;
    std::printf(
        "  consumer %-13s %s events in %s batches, latency p50 %s, p99 %s, lost %lld, duplicated "
        "%lld\n",
        r.name.c_str(), group_digits(r.events).c_str(), group_digits(r.batches).c_str(),
        ms(p50).c_str(), ms(p99).c_str(), lost, duplicated);
    ok = ok && lost == 0 && duplicated == 0;
  }
  std::printf(ok ? "  every event reached every consumer exactly once\n"
                 : "  EVENTS WERE LOST OR DUPLICATED (see above)\n");
  std::printf(
      "  latency: from the insert's transaction start to the consumer's read, ticker woken by each "
      "commit\n");
  return ok;
}

// `pgqpp web` against the demo's database, read-only, on `listen`; returns
// once it serves, and the address it serves at.
std::unique_ptr<ChildProcess> start_web(const DemoCluster& cluster, const std::string& listen,
                                        std::string& url) {
  const std::string log = cluster.folder() + "/web.out";
  auto web = std::make_unique<ChildProcess>(
      ChildSpec{.argv = {self_exe(), "web", "--dsn", cluster.conninfo(), "--listen", listen},
                .log_file = log,
                .run_as = "",
                .cwd = ""});
  const auto ready_by = Clock::now() + std::chrono::seconds(15);
  const std::string mark = "serving ";
  while (!file_contains(log, mark)) {
    check_interrupt();
    if (!web->running() || Clock::now() > ready_by)
      throw Failure("pgqpp web did not start: " + last_line(log));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string line = last_line(log);  // pgqpp web: serving URL (Ctrl-C stops)
  const auto at = line.find(mark) + mark.size();
  url = line.substr(at, line.find(' ', at) - at);
  return web;
}

int demo(const DemoOptions& o) {
  install_signals();
  std::string bindir = o.bindir.empty() ? default_bindir() : o.bindir;
  DemoCluster cluster(bindir, interrupted);
  say("starting a throwaway PostgreSQL with pgqpp preloaded, in " + cluster.folder());
  cluster.start();
  check_interrupt();
  const std::vector<std::string> consumers = {"shipping", "billing"};
  say("create extension pgqpp; queue orders; consumers shipping and billing (port " +
      std::to_string(cluster.port()) + ")");
  {
    Connection db(cluster.conninfo());
    install(db, consumers);
  }

  const std::string ticker_log = cluster.folder() + "/ticker.log";
  say("pgqpp ticker: ticks when a commit wakes it");
  ChildProcess ticker({.argv = {self_exe(), "ticker", "-q", "--syslog", "0", "--base-connstr",
                                cluster.base_conninfo(), "--initial-database", "postgres",
                                "--database", "postgres", "--logfile", ticker_log},
                       .log_file = cluster.folder() + "/ticker.out",
                       .run_as = "",
                       .cwd = ""});
  auto ready_by = Clock::now() + std::chrono::seconds(15);
  while (!file_contains(ticker_log, "serving")) {
    check_interrupt();
    if (!ticker.running() || Clock::now() > ready_by)
      throw Failure("the ticker did not start serving the database: " + last_line(ticker_log));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  std::unique_ptr<ChildProcess> web;
  if (o.web) {
    std::string url;
    web = start_web(cluster, o.web_listen, url);
    say("the console: open " + url + " (pgqpp web; it stops with the demo)");
  } else {
    say("to watch it in a browser while it runs (--seconds 300 leaves time): pgqpp web --dsn '" +
        cluster.conninfo() + "', then open http://127.0.0.1:8080/ (or: pgqpp demo --web)");
  }
  say("producer: " + group_digits(o.rate) +
      " events/s in bulk inserts every 10 ms; two consumers; " + std::to_string(o.seconds) + " s");
  DemoTraffic traffic(cluster.conninfo(), "orders", consumers, o.rate);
  show_live(traffic, ticker, o.seconds, ticker_log);
  traffic.stop_producer();
  double seconds = traffic.producer_seconds();
  drain(traffic);
  long long produced = traffic.produced();
  auto reports = traffic.finish();
  if (std::string e = traffic.error(); !e.empty()) throw Failure(e);
  if (web) web->stop();
  ticker.stop();
  bool ok = summarize(produced, std::move(reports), seconds, o.rate);
  say("stopping the cluster and removing " + cluster.folder());
  return ok ? exit_ok : exit_failure;
}

}  // namespace

/// `pgqpp demo`: starts a throwaway PostgreSQL cluster (initdb in a temporary
/// folder, a free port, pgqpp preloaded; as the postgres user when run as
/// root), installs pgqpp, runs `pgqpp ticker`, a producer and two consumers
/// for --seconds, shows live throughput and latency, prints a summary and
/// removes everything, also on failure or Ctrl-C. Exit 1 when an event was
/// lost or duplicated.
std::function<int()> setup_demo(CLI::App& app) {
  auto o = std::make_shared<DemoOptions>();
  app.footer(
      "Needs PostgreSQL's server programs (initdb, pg_ctl, postgres; found with pg_config,\n"
      "or --bindir) with pgqpp installed for that server. No server needs to run: the\n"
      "demo starts its own on 127.0.0.1 and a free port, and removes it at the end.\n"
      "\nExamples:\n"
      "  pgqpp demo\n"
      "  pgqpp demo --seconds 20 --rate 5000\n"
      "  pgqpp demo --web --seconds 300     # and open http://127.0.0.1:8080/\n"
      "  make demo          # from a source checkout, without make install");
  app.add_option("--bindir", o->bindir,
                 "folder of initdb, pg_ctl and postgres (default: pg_config --bindir)");
  app.add_option("--seconds", o->seconds, "how long the producer runs")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--rate", o->rate, "events per second the producer inserts")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_flag("--web", o->web,
               "also run the console (pgqpp web, read-only) against the demo's database");
  app.add_option("--web-listen", o->web_listen,
                 "HOST:PORT of the console with --web (default 127.0.0.1:8080; port 0: any free)")
      ->type_name("HOST:PORT");
  return [o]() { return run_guarded("demo", [o] { return demo(*o); }); };
}

}  // namespace pgqpp::cli
