// SPDX-License-Identifier: PostgreSQL
// OutputWatch (see output_watch.hpp). poll() on the write end of a pipe
// reports POLLERR once the read end is closed, even with no events asked for.
#include "output_watch.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

namespace pgqpp::cli {

OutputWatch::OutputWatch(StopSource stop) : stop_(std::move(stop)) {
  ::signal(SIGPIPE, SIG_IGN);
  thread_ = std::thread([this] { watch(); });
}

OutputWatch::~OutputWatch() {
  done_ = true;
  thread_.join();
}

void OutputWatch::mark_closed() noexcept {
  closed_ = true;
  stop_.request(StopMode::now);
}

void OutputWatch::watch() {
  while (!done_) {
    pollfd p{STDOUT_FILENO, 0, 0};
    if (::poll(&p, 1, 100) > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
      mark_closed();
      return;
    }
  }
}

}  // namespace pgqpp::cli
