// Reading standard input line by line without per-line allocations.
#pragma once

#include <cstdio>
#include <string_view>

namespace pgqpp::cli {

/// Lines of a FILE, without their trailing newline. A last line without a
/// newline is still a line. Not copyable: it owns getline()'s buffer.
class LineReader {
 public:
  /// Reads from `file`, which it does not close.
  explicit LineReader(std::FILE* file) : file_(file) {}
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  /// The next line, valid until the next call; false at the end of input.
  /// Throws std::runtime_error when reading fails.
  bool next(std::string_view& line);
  /// The number of the line next() returned last (1 for the first).
  long long line_number() const noexcept { return number_; }

 private:
  std::FILE* file_;
  char* buffer_ = nullptr;
  std::size_t capacity_ = 0;
  long long number_ = 0;
};

}  // namespace pgqpp::cli
