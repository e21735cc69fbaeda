// SPDX-License-Identifier: PostgreSQL
// DemoCluster (see demo_cluster.hpp).
#include "demo_cluster.hpp"

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "child_process.hpp"
#include "common.hpp"
#include "log_file.hpp"

namespace pgqpp::cli {

namespace fs = std::filesystem;

namespace {

// A TCP port on 127.0.0.1 that nobody listens on right now.
int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) throw Failure("cannot open a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(s);
  if (port == 0) throw Failure("cannot find a free TCP port on 127.0.0.1");
  return port;
}

std::string make_temp_folder() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/pgqpp-demo.XXXXXX";
  if (!::mkdtemp(pattern.data()))
    throw Failure("cannot create a folder in " + pattern + " (set TMPDIR)");
  fs::permissions(pattern, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
  return pattern;
}

}  // namespace

std::string default_bindir() {
  std::FILE* p = ::popen("pg_config --bindir 2>/dev/null", "r");
  std::string out;
  if (p) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (out.empty())
    throw Failure(
        "pg_config is not on the PATH (install PostgreSQL's server package, or pass --bindir DIR)");
  return out;
}

DemoCluster::DemoCluster(std::string bindir, const std::atomic<bool>& interrupt)
    : bindir_(std::move(bindir)), interrupt_(interrupt) {
  for (const char* tool : {"initdb", "pg_ctl", "postgres"})
    if (::access((bindir_ + "/" + tool).c_str(), X_OK) != 0)
      throw Failure("no " + std::string(tool) + " in " + bindir_ +
                    " (pass --bindir with PostgreSQL's programs, e.g. $(pg_config --bindir))");
  if (::geteuid() == 0) {
    if (!::getpwnam("postgres"))
      throw Failure(
          "running as root needs a postgres user to own the cluster (initdb refuses root); "
          "run as an ordinary user");
    run_as_ = "postgres";
  }
  folder_ = make_temp_folder();
  cluster_dir_ = folder_ + "/cluster";
  fs::create_directory(cluster_dir_);
  if (!run_as_.empty()) {
    passwd* pw = ::getpwnam(run_as_.c_str());
    if (::chown(cluster_dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      fs::remove_all(folder_);
      throw Failure("cannot give " + cluster_dir_ + " to the postgres user");
    }
  }
}

DemoCluster::~DemoCluster() {
  try {
    stop();
  } catch (...) {
  }
  std::error_code ignored;
  fs::remove_all(folder_, ignored);
}

void DemoCluster::run_tool(const std::string& what, std::vector<std::string> argv,
                           const std::string& log) {
  int status =
      run_child({.argv = std::move(argv), .log_file = log, .run_as = run_as_, .cwd = cluster_dir_},
                &interrupt_);
  if (interrupt_) throw Failure("interrupted while " + what);
  if (status != 0) throw Failure(what + " failed: " + last_line(log));
}

void DemoCluster::start() {
  const std::string data = cluster_dir_ + "/data";
  run_tool("initdb",
           {bindir_ + "/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E",
            "UTF8", "--locale=C.UTF-8"},
           folder_ + "/initdb.log");
  port_ = free_port();
  // fsync off: the cluster is thrown away in a minute.
  std::string options =
      "-p " + std::to_string(port_) + " -k '" + cluster_dir_ +
      "' -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pgqpp -c fsync=off";
  const std::string server_log = cluster_dir_ + "/server.log";
  try {
    run_tool("starting the server",
             {bindir_ + "/pg_ctl", "-D", data, "-p", bindir_ + "/postgres", "-o", options, "-l",
              server_log, "-w", "-t", "60", "start"},
             folder_ + "/pg_ctl.log");
  } catch (const Failure&) {
    if (file_contains(server_log, "\"pgqpp\""))
      throw Failure("the server in " + bindir_ +
                    " has no pgqpp library (run make install, or make demo in a source checkout)");
    if (fs::exists(server_log)) throw Failure("the server did not start: " + last_line(server_log));
    throw;
  }
  started_ = true;
}

void DemoCluster::stop() {
  const std::string data = cluster_dir_ + "/data";
  if (!fs::exists(data + "/postmaster.pid")) return;
  ChildSpec spec{.argv = {bindir_ + "/pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "30", "stop"},
                 .log_file = folder_ + "/pg_ctl.log",
                 .run_as = run_as_,
                 .cwd = cluster_dir_};
  if (run_child(spec) != 0) {
    spec.argv = {bindir_ + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"};
    run_child(spec);
  }
  started_ = false;
}

std::string DemoCluster::conninfo() const { return base_conninfo() + " dbname=postgres"; }

std::string DemoCluster::base_conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres";
}

}  // namespace pgqpp::cli
