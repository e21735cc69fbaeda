// SPDX-License-Identifier: PostgreSQL
// The self-pipe behind StopSignals (see stop_signals.hpp).
#include "stop_signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace pgqpp::cli {

namespace {

// Plain globals: a signal handler may touch lock-free atomics and call
// write(), nothing else.
int pipe_fds[2] = {-1, -1};
std::atomic<int> received{0};
std::atomic<int> last_signal{0};

void set_action(int sig, void (*handler)(int)) {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // the pipe, not EINTR, ends the wait
  sigaction(sig, &sa, nullptr);
}

void on_signal(int sig) {
  int saved = errno;
  if (received.load() >= 2) {
    set_action(SIGINT, SIG_DFL);
    set_action(SIGTERM, SIG_DFL);
    raise(sig);  // delivered on return: the default action ends the process
  } else {
    received.fetch_add(1);
    last_signal.store(sig);
    char byte = 1;
    ssize_t ignored = write(pipe_fds[1], &byte, 1);  // a full pipe is readable already
    (void)ignored;
  }
  errno = saved;
}

}  // namespace

StopSignals::StopSignals() {
  if (pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot create a signal pipe");
  received.store(0);
  last_signal.store(0);
  set_action(SIGINT, on_signal);
  set_action(SIGTERM, on_signal);
}

StopSignals::~StopSignals() {
  set_action(SIGINT, SIG_DFL);
  set_action(SIGTERM, SIG_DFL);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  pipe_fds[0] = pipe_fds[1] = -1;
}

int StopSignals::wake_fd() const noexcept { return pipe_fds[0]; }

int StopSignals::take() noexcept {
  char buf[64];
  while (read(pipe_fds[0], buf, sizeof buf) > 0) {
  }
  return received.load();
}

int StopSignals::last() const noexcept { return last_signal.load(); }

}  // namespace pgqpp::cli
