// SPDX-License-Identifier: PostgreSQL
// The ticker daemon's event loop: see daemon.hpp.
#include "daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <vector>

#include "control.hpp"
#include "database_list.hpp"

namespace pgqpp::ticker {

namespace {

// The write end of the daemon's signal pipe: signals become bytes that the
// event loop reads, so they are handled inside the loop, never in a handler.
int signal_write_fd = -1;

extern "C" void on_signal(int sig) {
  int saved = errno;
  unsigned char byte = static_cast<unsigned char>(sig);
  if (signal_write_fd >= 0) (void)!write(signal_write_fd, &byte, 1);
  errno = saved;
}

// How long a graceful stop may take before the daemon closes everything.
constexpr auto kStopGrace = std::chrono::milliseconds(800);

}  // namespace

Config effective_config(const Options& options) {
  Config config = options.config_file ? load_config(*options.config_file) : Config{};
  for (const auto& [key, value] : options.overrides) set_key(config, key, value, "--" + key);
  // --daemon moves to "/": relative file names mean the starting folder.
  static const std::string start_dir = [] {
    char buf[4096];
    return getcwd(buf, sizeof buf) ? std::string(buf) : std::string("/");
  }();
  for (std::string* path : {&config.pidfile, &config.logfile})
    if (!path->empty() && path->front() != '/') *path = start_dir + "/" + *path;
  return config;
}

Daemon::Daemon(Options options) : options_(std::move(options)) {}

Daemon::~Daemon() {
  for (int fd : signal_pipe_)
    if (fd >= 0) close(fd);
  signal_write_fd = -1;
  if (pidfile_written_) unlink(config_.pidfile.c_str());
}

void Daemon::install_signals() {
  if (pipe2(signal_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error(std::string("cannot create the signal pipe: ") + std::strerror(errno));
  signal_write_fd = signal_pipe_[1];
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool Daemon::pidfile_free() {
  auto pid = config_.pidfile.empty() ? std::nullopt : running_pid(config_.pidfile);
  if (!pid) return true;
  log_.error("", "already running with pid " + std::to_string(*pid) + " (pidfile " +
                     config_.pidfile + ")");
  return false;
}

bool Daemon::write_pidfile() {
  if (config_.pidfile.empty()) return true;
  // Checked again: another instance may have started since pidfile_free().
  if (!pidfile_free()) return false;
  std::ofstream out(config_.pidfile, std::ios::trunc);
  if (!(out << getpid() << "\n")) {
    log_.error("", "cannot write pidfile " + config_.pidfile + ": " + std::strerror(errno));
    return false;
  }
  pidfile_written_ = true;
  return true;
}

void Daemon::handle_signal(int sig) {
  if (sig == SIGHUP) {
    reload();
    return;
  }
  ++stop_requests_;
  if (stop_requests_ == 1) {
    log_.info("", std::string("got ") + strsignal(sig) + ", stopping");
    stop_deadline_ = Clock::now() + kStopGrace;
  } else {
    log_.info("", "second stop signal, stopping now");
    stop_deadline_ = Clock::now();
  }
}

void Daemon::reload() {
  if (!options_.config_file) {
    log_.info("", "got SIGHUP: no config file to reload; looking for databases now");
    next_discovery_ = Clock::now();
    return;
  }
  Config fresh;
  try {
    fresh = effective_config(options_);
  } catch (const ConfigError& e) {
    log_.error("", std::string("config reload failed, keeping the old config: ") + e.what());
    return;
  }
  auto changed = changed_keys(config_, fresh);
  for (const auto& key : changed)
    if (!find_key(key)->reloadable) {
      log_.warning("", key + " changes only with a restart; keeping " + get_key(config_, key));
      set_key(fresh, key, get_key(config_, key), "reload");
    }
  std::string list;
  for (const auto& key : changed) list += (list.empty() ? "" : ", ") + key;
  config_ = fresh;
  std::string error;
  if (!log_.configure(config_.logfile, config_.syslog, config_.syslog_ident, options_.quiet,
                      options_.verbose, &error))
    log_.error("", error);
  for (auto& [name, db] : databases_) db->reconfigure(config_);
  log_.info("", "config reloaded" +
                    (list.empty() ? std::string(", nothing changed") : "; changed: " + list));
  next_discovery_ = Clock::now();
}

void Daemon::discover(Clock::time_point now) {
  next_discovery_ = now + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(config_.check_period));
  std::string conninfo =
      conninfo_for(config_.base_connstr, config_.initial_database, "pgqpp ticker");
  if (!discovery_.connect(conninfo)) {
    if (!discovery_failing_)
      log_.error(config_.initial_database, "cannot list databases: " + discovery_.error());
    discovery_failing_ = true;
    ++discovery_errors_;
    next_discovery_ = now + std::chrono::seconds(1);
    return;
  }
  discovery_.run(kDatabaseListSql, {}, [this](const Result& r) {
    std::vector<std::string> names;
    for (int i = 0; i < r.rows(); ++i) names.push_back(r.text(i, 0));
    if (discovery_failing_) log_.info(config_.initial_database, "listing databases works again");
    discovery_failing_ = false;
    on_databases(names);
    discovery_.close();
  });
}

void Daemon::report_missing(const std::vector<std::string>& found) {
  // Once per database until it appears: a typo in database_list is seen.
  for (const auto& name : config_.database_list) {
    bool exists = std::find(found.begin(), found.end(), name) != found.end();
    if (exists) {
      reported_missing_.erase(name);
    } else if (reported_missing_.insert(name).second) {
      log_.warning(name,
                   "listed in database_list, but the database does not exist (or takes "
                   "no connections); looking again every check_period");
    }
  }
}

void Daemon::on_databases(const std::vector<std::string>& found) {
  std::vector<std::string> wanted;
  for (const auto& name : found) {
    bool listed = config_.database_list.empty() ||
                  std::find(config_.database_list.begin(), config_.database_list.end(), name) !=
                      config_.database_list.end();
    if (listed) wanted.push_back(name);
  }
  report_missing(found);
  for (const auto& name : wanted)
    if (!databases_.count(name)) {
      log_.debug(name, "found database");
      auto worker = std::make_unique<DatabaseWorker>(name, config_, log_);
      if (metrics_.socket() >= 0) worker->enable_figures();
      // A lost connection may mean a dropped database: look at once, so
      // that its metrics go now rather than at the next check_period.
      worker->on_lost = [this] { next_discovery_ = Clock::now(); };
      databases_[name] = std::move(worker);
    }
  for (auto it = databases_.begin(); it != databases_.end();) {
    if (std::find(wanted.begin(), wanted.end(), it->first) == wanted.end()) {
      log_.info(it->first, "database gone or no longer listed; dropping it");
      it->second->stop();
      it = databases_.erase(it);
    } else {
      ++it;
    }
  }
}

int Daemon::poll_once(Clock::time_point now) {
  std::vector<pollfd> fds;
  std::vector<DatabaseWorker*> owners;  // nullptr: signal pipe or discovery
  fds.push_back({signal_pipe_[0], POLLIN, 0});
  owners.push_back(nullptr);
  if (!discovery_.down()) {
    fds.push_back({discovery_.socket(), discovery_.poll_events(), 0});
    owners.push_back(nullptr);
  }
  std::size_t metrics_index = fds.size();
  if (metrics_.socket() >= 0) {
    fds.push_back({metrics_.socket(), POLLIN, 0});
    owners.push_back(nullptr);
  }
  Clock::time_point deadline = stop_requests_ ? stop_deadline_ : next_discovery_;
  std::vector<bool> is_waiter(fds.size(), false);
  for (auto& [name, db] : databases_) {
    deadline = std::min(deadline, db->next_deadline());
    for (Session* s : {&db->session(), &db->waiter()}) {
      short events = s->poll_events();
      if (events == 0 || s->socket() < 0) continue;
      fds.push_back({s->socket(), events, 0});
      owners.push_back(db.get());
      is_waiter.push_back(s == &db->waiter());
    }
  }
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
  int timeout = static_cast<int>(std::clamp<long long>(wait, 0, 1000));
  int n = poll(fds.data(), fds.size(), timeout);
  if (n < 0 && errno != EINTR)
    throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
  auto after = Clock::now();
  for (std::size_t i = 0; n > 0 && i < fds.size(); ++i) {
    if (fds[i].revents == 0) continue;
    if (i == 0) {
      unsigned char sig;
      while (read(signal_pipe_[0], &sig, 1) == 1) handle_signal(sig);
    } else if (i == metrics_index && metrics_.socket() >= 0) {
      metrics_.serve_one([this] { return metrics_text(); });
    } else if (owners[i] == nullptr) {
      if (!discovery_.on_ready()) {
        if (!discovery_failing_)
          log_.error(config_.initial_database, "cannot list databases: " + discovery_.error());
        discovery_failing_ = true;
        next_discovery_ = after + std::chrono::seconds(1);
      }
    } else if (is_waiter[i]) {
      owners[i]->on_waiter_io(after);
    } else {
      owners[i]->on_io(after);
    }
  }
  return n;
}

std::string Daemon::metrics_text() const {
  MetricLines lines;
  long long served = 0;
  for (const auto& [name, db] : databases_) {
    db->add_metrics(lines);
    served += db->serving() ? 1 : 0;
  }
  lines["pgqpp_ticker_databases"] = {"pgqpp_ticker_databases " + std::to_string(served)};
  lines["pgqpp_ticker_discovery_errors_total"] = {"pgqpp_ticker_discovery_errors_total " +
                                                  std::to_string(discovery_errors_)};
  return render_metrics(lines);
}

int Daemon::run() {
  try {
    config_ = effective_config(options_);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "pgqpp ticker: %s\n", e.what());
    return 2;
  }
  std::string error;
  if (!log_.configure(config_.logfile, config_.syslog, config_.syslog_ident, options_.quiet,
                      options_.verbose, &error)) {
    std::fprintf(stderr, "pgqpp ticker: %s\n", error.c_str());
    return 1;
  }
  if (options_.daemonize) {
    // Refused before detaching, so that the starting command fails (exit 1).
    if (!pidfile_free()) return 1;
    if (config_.pidfile.empty()) {
      std::fprintf(stderr,
                   "pgqpp ticker: --daemon needs a pidfile (config key pidfile or --pidfile)\n");
      return 2;
    }
    if (daemon(0, 0) != 0) {
      std::fprintf(stderr, "pgqpp ticker: cannot daemonize: %s\n", std::strerror(errno));
      return 1;
    }
  }
  if (!options_.metrics.empty() && !metrics_.listen(options_.metrics, &error)) {
    std::fprintf(stderr, "pgqpp ticker: %s\n", error.c_str());
    return 2;
  }
  if (!write_pidfile()) return 1;
  install_signals();
  log_.info("", "starting; ticker_period=" + get_key(config_, "ticker_period") + "s, databases: " +
                    (config_.database_list.empty() ? std::string("all")
                                                   : get_key(config_, "database_list")));
  next_discovery_ = Clock::now();
  while (true) {
    auto now = Clock::now();
    if (stop_requests_) {
      bool busy = std::any_of(databases_.begin(), databases_.end(),
                              [](const auto& db) { return db.second->busy(); });
      if (!busy || now >= stop_deadline_) break;
    } else {
      if (now >= next_discovery_ && discovery_.down()) discover(now);
      for (auto& [name, db] : databases_) db->on_time(now);
    }
    poll_once(Clock::now());
  }
  for (auto& [name, db] : databases_) db->stop();
  discovery_.close();
  log_.info("", "stopped");
  return 0;
}

}  // namespace pgqpp::ticker
