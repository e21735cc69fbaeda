// SPDX-License-Identifier: PostgreSQL
// A program the cases start (the `pgqpp ticker` daemon): started with its
// output in a file, signalled, waited for, killed if it is still running
// when the case ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace pgqpp_cluster {

class Process {
 public:
  /// Starts `args` (args[0] is the program's path) with stdout and stderr
  /// in `output` and `env` added to the environment.
  Process(const std::vector<std::string>& args, const std::string& output,
          const std::map<std::string, std::string>& env = {});
  /// Kills the process (SIGKILL) if it still runs.
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// Sends `sig`.
  void signal(int sig);
  /// Waits for the exit; returns the exit status, 128+N for signal N, or -1
  /// when it still runs after `limit`.
  int wait(std::chrono::milliseconds limit);

 private:
  pid_t pid_ = -1;
};

/// The contents of a file ("" when it cannot be read).
std::string read_file(const std::string& path);
/// How many lines of file `path` contain `text`.
int count_lines(const std::string& path, const std::string& text);
/// `text` as one single-quoted word of a shell command line.
std::string shell_quote(const std::string& text);
/// What the shell command line prints on stdout ("" when it does not run).
std::string command_output(const std::string& command);
/// command_output without the trailing newlines (one-line answers).
std::string command_line_output(const std::string& command);

}  // namespace pgqpp_cluster
