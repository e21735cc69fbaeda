// SPDX-License-Identifier: PostgreSQL
// The --watch refresh loop (see watch_loop.hpp). Signals reach the loop
// through a self-pipe, so that the wait (poll) wakes at once and nothing
// async-signal-unsafe runs in the handler.
#include "watch_loop.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace pgqpp::cli {

namespace {

int signal_pipe[2] = {-1, -1};

void on_stop_signal(int) {
  const int saved = errno;
  const char byte = 's';
  [[maybe_unused]] auto n = write(signal_pipe[1], &byte, 1);
  errno = saved;
}

// SIGINT and SIGTERM write to the pipe while the loop runs; the previous
// handlers come back afterwards.
class StopSignals {
 public:
  StopSignals() {
    if (signal_pipe[0] < 0) {
      if (pipe(signal_pipe) != 0) throw std::runtime_error("cannot create a pipe for signals");
      for (int fd : signal_pipe) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    // A second Ctrl-C acts at once (default action), even while a query of
    // an unresponsive server holds up the loop.
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  int fd() const { return signal_pipe[0]; }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// Standard input without line buffering or echo, so that one q quits; the
// cursor hidden while frames are drawn. Both restored on destruction.
class TerminalMode {
 public:
  explicit TerminalMode(bool keys) {
    if (keys && tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios raw = saved_;
      raw.c_lflag &= ~(ICANON | ECHO);
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      restore_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    std::fputs("\x1b[?25l\x1b[2J", stdout);
  }
  ~TerminalMode() {
    std::fputs("\x1b[?25h", stdout);
    std::fflush(stdout);
    if (restore_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }

 private:
  termios saved_{};
  bool restore_ = false;
};

// The frame drawn over the previous one: each line clears what was left of
// the old line, and whatever the old frame had below is cleared at the end.
std::string in_place(const std::string& text) {
  std::string out = "\x1b[H";
  for (char c : text) {
    if (c == '\n') out += "\x1b[K";
    out += c;
  }
  return out + "\x1b[J";
}

// Waits up to `ms` for a stop: a signal, or q on the keyboard.
bool wait_for_stop(int signal_fd, bool keys, int ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{signal_fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    const int n = poll(fds, keys ? 2 : 1, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) return true;
    if (n <= 0) continue;
    if (fds[0].revents) return true;
    if (keys && fds[1].revents) {
      char buf[64];
      const ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
      if (got <= 0) keys = false;  // input closed: only signals stop us now
      for (ssize_t i = 0; i < got; ++i)
        if (buf[i] == 'q' || buf[i] == 'Q') return true;
    }
  }
}

}  // namespace

int watch_loop(double interval_seconds, WatchMode mode, const std::function<std::string()>& frame) {
  StopSignals signals;
  const bool terminal = mode == WatchMode::in_place;
  const bool keys = terminal && isatty(STDIN_FILENO) == 1;
  std::optional<TerminalMode> term;
  if (terminal) term.emplace(keys);
  const int ms = static_cast<int>(interval_seconds * 1000);
  bool first = true;
  do {
    const std::string text = frame();
    if (terminal) {
      std::fputs(in_place(text).c_str(), stdout);
    } else {
      if (!first) std::fputs("\n", stdout);
      std::fputs(text.c_str(), stdout);
    }
    std::fflush(stdout);
    first = false;
  } while (!wait_for_stop(signals.fd(), keys, ms));
  return 0;
}

}  // namespace pgqpp::cli
