// SPDX-License-Identifier: PostgreSQL
// Reading standard input line by line, with a wait that can end early: at a
// deadline (so `pgqpp produce` can commit while its input is idle) or when
// another descriptor becomes readable (a stop signal). read(2) and poll(2)
// on the descriptor, never stdio, whose buffer poll() cannot see.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pgqpp::cli {

/// Lines of a file descriptor, without their trailing newline. A last line
/// without a newline is still a line. Not copyable: it owns the buffer.
class LineReader {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Status {
    line,     ///< a line was read
    timeout,  ///< the deadline passed while no complete line was at hand
    woken,    ///< the wake descriptor became readable first
    end,      ///< the end of the input
  };

  /// Reads from `fd`, which it does not close.
  explicit LineReader(int fd) : fd_(fd) {}
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// The next line in `line` (valid until the next call). A complete line
  /// at hand is returned at once; otherwise waits for input, until
  /// `deadline` (nullopt: no limit) or until `wake_fd` (-1: none) is
  /// readable. Throws std::runtime_error when reading fails.
  Status next(std::string_view& line, std::optional<Clock::time_point> deadline, int wake_fd);
  /// The number of the line next() returned last (1 for the first).
  long long line_number() const noexcept { return number_; }

 private:
  bool take_line(std::string_view& line);
  Status wait(std::optional<Clock::time_point> deadline, int wake_fd);
  bool fill();

  int fd_;
  std::string buffer_;
  std::size_t start_ = 0;    // where the unread part of buffer_ begins
  std::size_t scanned_ = 0;  // buffer_ before this holds no newline after start_
  bool eof_ = false;
  long long number_ = 0;
};

}  // namespace pgqpp::cli
