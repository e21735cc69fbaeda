// SPDX-License-Identifier: PostgreSQL
// LineReader (see line_reader.hpp): one growing buffer, compacted before it
// is refilled, so a line is a view into it without a copy.
#include "line_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace pgqpp::cli {

namespace {

constexpr std::size_t read_size = 1 << 16;

int poll_timeout_ms(std::optional<LineReader::Clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - LineReader::Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

}  // namespace

// A complete line (or, at the end of input, the unterminated rest).
bool LineReader::take_line(std::string_view& line) {
  // A long line arrives over many reads: search only the new bytes.
  const std::size_t newline = buffer_.find('\n', std::max(start_, scanned_));
  scanned_ = newline == std::string::npos ? buffer_.size() : newline + 1;
  if (newline == std::string::npos && !(eof_ && start_ < buffer_.size())) return false;
  const std::size_t end = newline == std::string::npos ? buffer_.size() : newline;
  line = std::string_view(buffer_).substr(start_, end - start_);
  start_ = newline == std::string::npos ? end : newline + 1;
  ++number_;
  return true;
}

LineReader::Status LineReader::next(std::string_view& line,
                                    std::optional<Clock::time_point> deadline, int wake_fd) {
  for (;;) {
    if (take_line(line)) return Status::line;
    if (eof_) return Status::end;
    Status s = wait(deadline, wake_fd);
    if (s != Status::line) return s;
    if (!fill()) eof_ = true;
  }
}

// Status::line here means "input is ready to read".
LineReader::Status LineReader::wait(std::optional<Clock::time_point> deadline, int wake_fd) {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  for (;;) {
    int n = poll(fds, wake_fd >= 0 ? 2 : 1, poll_timeout_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::runtime_error(std::string("cannot wait for input: ") + std::strerror(errno));
    if (n == 0) return Status::timeout;
    if (wake_fd >= 0 && (fds[1].revents & POLLIN)) return Status::woken;
    return Status::line;  // readable, hung up or in error: read() says which
  }
}

// Appends what one read() returns; false at the end of input.
bool LineReader::fill() {
  if (start_ > 0) {  // the lines before start_ were handed out already
    buffer_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
  }
  const std::size_t old = buffer_.size();
  buffer_.resize(old + read_size);
  ssize_t n;
  do n = read(fd_, buffer_.data() + old, read_size);
  while (n < 0 && errno == EINTR);
  const int read_errno = errno;
  buffer_.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
  // A non-blocking input (inherited O_NONBLOCK) may have nothing after all.
  if (n < 0 && (read_errno == EAGAIN || read_errno == EWOULDBLOCK)) return true;
  if (n < 0)
    throw std::runtime_error(std::string("cannot read input: ") + std::strerror(read_errno));
  return n > 0;
}

}  // namespace pgqpp::cli
