// SPDX-License-Identifier: PostgreSQL
// Child processes for `pgqpp demo`: run a program to its end, or keep one
// running in the background and stop it later. Output goes to a log file.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <string>
#include <vector>

namespace pgqpp::cli {

/// How to start a child: its argv (argv[0] is the program's path), where its
/// stdout and stderr go, and (when not empty) the user to run it as through
/// runuser, which is how root starts PostgreSQL's tools.
struct ChildSpec {
  std::vector<std::string> argv;
  std::string log_file;  ///< appended to; empty: /dev/null
  std::string run_as;    ///< user name for `runuser -u USER --`, empty: ourselves
  std::string cwd;       ///< working folder (one that user can enter), empty: ours
};

/// A started child in a process group of its own (so that Ctrl-C at the
/// terminal reaches only us, and we decide how each child stops). The
/// destructor stops a child still running: SIGTERM, then SIGKILL after 10 s.
class ChildProcess {
 public:
  /// Starts the child; throws std::runtime_error when it cannot be started.
  explicit ChildProcess(const ChildSpec& spec);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  /// Waits for the end and returns the exit status (128+N for signal N).
  /// While waiting, `interrupt` turning true sends the child SIGTERM.
  int wait(const std::atomic<bool>* interrupt = nullptr);
  /// True while the child has not exited (reaps it when it has).
  bool running();
  /// SIGTERM, then wait up to `grace_seconds`, then SIGKILL. Returns the status.
  int stop(int grace_seconds = 10);

  /// The child's process id.
  pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;  // valid once reaped
};

/// Runs `spec` to its end and returns its exit status; `interrupt` as in
/// ChildProcess::wait.
int run_child(const ChildSpec& spec, const std::atomic<bool>* interrupt = nullptr);

}  // namespace pgqpp::cli
