// SPDX-License-Identifier: PostgreSQL
// The pidfile and the control flags: see control.hpp.
#include "control.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace pgqpp::ticker {

std::optional<long> running_pid(const std::string& pidfile) {
  std::ifstream in(pidfile);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  // EPERM: the process exists, though another user's.
  if (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) return pid;
  return std::nullopt;
}

int signal_running(const std::string& pidfile, int sig) {
  if (pidfile.empty()) {
    std::fprintf(stderr,
                 "pgqpp ticker: no pidfile configured (config key pidfile or --pidfile): "
                 "cannot find the running daemon\n");
    return 2;
  }
  auto pid = running_pid(pidfile);
  if (!pid) {
    std::fprintf(stderr, "pgqpp ticker: not running (no live pid in %s)\n", pidfile.c_str());
    return 1;
  }
  if (kill(static_cast<pid_t>(*pid), sig) != 0) {
    std::fprintf(stderr, "pgqpp ticker: cannot signal pid %ld: %s\n", *pid, std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace pgqpp::ticker
