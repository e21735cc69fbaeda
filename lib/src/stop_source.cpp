// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/stop_source.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "stop_state.hpp"

namespace pgqpp {

namespace detail {

namespace {

void make_pipe(int fds[2]) {
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pgqpp: cannot create a stop pipe");
}

void poke(int fd) noexcept {
  char byte = 1;
  ssize_t ignored = write(fd, &byte, 1);  // a full pipe is readable already
  (void)ignored;
}

void drain(int fd) noexcept {
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

}  // namespace

StopState::StopState() {
  make_pipe(any_);
  try {
    make_pipe(now_);
  } catch (...) {
    close(any_[0]);
    close(any_[1]);
    throw;
  }
}

StopState::~StopState() {
  for (int fd : {any_[0], any_[1], now_[0], now_[1]}) close(fd);
}

void StopState::request(StopMode m) noexcept {
  int wanted = static_cast<int>(m);
  int cur = mode_.load();
  while (cur < wanted && !mode_.compare_exchange_weak(cur, wanted)) {
  }
  if (m == StopMode::none) return;
  poke(any_[1]);
  if (m == StopMode::now) poke(now_[1]);
}

void StopState::reset() noexcept {
  mode_.store(0);
  drain(any_[0]);
  drain(now_[0]);
}

}  // namespace detail

namespace {

// The source that owns the signals. The shared_ptr keeps it alive; the
// handler reads only the atomic raw pointer (async-signal-safe).
std::shared_ptr<detail::StopState> signal_owner;
std::atomic<detail::StopState*> signal_target{nullptr};

void on_stop_signal(int) {
  int saved = errno;
  if (detail::StopState* s = signal_target.load()) {
    // First signal: after the batch; any later one: now.
    s->request(s->mode() == StopMode::none ? StopMode::after_batch : StopMode::now);
  }
  errno = saved;
}

}  // namespace

StopSource::StopSource() : state_(std::make_shared<detail::StopState>()) {}

void StopSource::request(StopMode mode) const noexcept { state_->request(mode); }

StopMode StopSource::requested() const noexcept { return state_->mode(); }

void StopSource::reset() const noexcept { state_->reset(); }

void StopSource::stop_on_signals(std::initializer_list<int> signals) const {
  signal_owner = state_;
  signal_target.store(state_.get());
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  std::initializer_list<int> defaults = {SIGINT, SIGTERM};
  for (int sig : signals.size() ? signals : defaults)
    if (sigaction(sig, &sa, nullptr) != 0)
      throw std::system_error(errno, std::generic_category(),
                              "pgqpp: cannot handle signal " + std::to_string(sig));
}

}  // namespace pgqpp
