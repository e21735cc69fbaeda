// SPDX-License-Identifier: PostgreSQL
// Append-only record files that survive SIGKILL of the writer.
#pragma once
#include <string>
#include <string_view>

namespace pgqpp::fault {

/// A file opened for appending, written with write(2) and no user-space
/// buffer: whatever append() returned from is in the kernel and survives a
/// SIGKILL of this process. Lines are appended whole (O_APPEND), so two
/// processes may share a file.
class LogFile {
 public:
  /// Opens (creating) `path` for appending; throws std::runtime_error.
  explicit LogFile(const std::string& path);
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  ~LogFile();
  /// Writes `text` completely; throws std::runtime_error on failure.
  void append(std::string_view text);

 private:
  int fd_ = -1;
  std::string path_;
};

/// Milliseconds since the Unix epoch, for records compared across processes.
long long epoch_ms();

}  // namespace pgqpp::fault
