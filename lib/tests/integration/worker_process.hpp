// SPDX-License-Identifier: PostgreSQL
// Starting, waiting for and killing the test worker (worker.cpp).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace pgqpp_it {

class WorkerProcess {
 public:
  /// Starts the worker with `args` and extra environment `env`.
  WorkerProcess(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env);
  /// Kills the worker if it still runs.
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  /// Sends `sig`.
  void signal(int sig);
  /// Waits for the exit; returns the exit status, 128+N for signal N, or -1
  /// when it still runs after `limit`.
  int wait(std::chrono::milliseconds limit);

 private:
  pid_t pid_ = -1;
};

}  // namespace pgqpp_it
