// SPDX-License-Identifier: PostgreSQL
// ChildProcess (see child_process.hpp): fork + execv, a process group per
// child, waitpid that notices an interrupt request.
#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace pgqpp::cli {

namespace {

int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

std::vector<std::string> full_argv(const ChildSpec& spec) {
  std::vector<std::string> argv;
  if (!spec.run_as.empty()) argv = {"/sbin/runuser", "-u", spec.run_as, "--"};
  argv.insert(argv.end(), spec.argv.begin(), spec.argv.end());
  return argv;
}

}  // namespace

ChildProcess::ChildProcess(const ChildSpec& spec) {
  std::vector<std::string> args = full_argv(spec);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Opened before fork: the child only calls async-signal-safe functions.
  const std::string cwd = spec.cwd;
  const char* target = spec.log_file.empty() ? "/dev/null" : spec.log_file.c_str();
  int log = ::open(target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0)
    throw std::runtime_error("cannot open " + std::string(target) + ": " + std::strerror(errno));
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(log);
    throw std::runtime_error(std::string("cannot start a process: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    const char msg[] = "cannot execute the program\n";
    ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);  // also from here, so there is no race with the child
  ::close(log);
}

ChildProcess::~ChildProcess() {
  if (running()) stop();
}

int ChildProcess::wait(const std::atomic<bool>* interrupt) {
  if (status_ >= 0) return status_;
  bool signalled = false;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) return status_ = decode(status);
    if (r < 0 && errno != EINTR) return status_ = 255;
    if (interrupt && *interrupt && !signalled) {
      ::kill(pid_, SIGTERM);
      signalled = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool ChildProcess::running() {
  if (status_ >= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = decode(status);
    return false;
  }
  return r == 0;
}

int ChildProcess::stop(int grace_seconds) {
  if (!running()) return status_;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      return wait();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

int run_child(const ChildSpec& spec, const std::atomic<bool>* interrupt) {
  ChildProcess child(spec);
  return child.wait(interrupt);
}

}  // namespace pgqpp::cli
