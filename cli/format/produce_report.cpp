// SPDX-License-Identifier: PostgreSQL
// Wording of produce's early stops (see produce_report.hpp).
#include "produce_report.hpp"

#include "escape_text.hpp"

namespace pgqpp::cli {

namespace {

// "line 1", "lines 1–7": the en dash as in the docs' "lines 1–(N-1)".
std::string lines_text(long long first, long long last) {
  if (first == last) return "line " + std::to_string(first);
  return "lines " + std::to_string(first) + "–" + std::to_string(last);
}

}  // namespace

std::string kept_lines_text(long long done, bool atomic) {
  if (atomic) return "nothing inserted (--atomic)";
  const std::string resend = "; resend from line " + std::to_string(done + 1);
  if (done <= 0) return "nothing inserted" + resend;
  return lines_text(1, done) + " inserted" + resend;
}

std::string bad_line_text(long long line, std::string_view reason, long long done, bool atomic) {
  return "line " + std::to_string(line) + ": " + escape_controls(reason) + "; " +
         kept_lines_text(done, atomic);
}

std::string in_doubt_text(long long done, long long doubt) {
  if (doubt <= done) return kept_lines_text(done, false);
  const std::string doubtful = lines_text(done + 1, doubt);
  return (done > 0 ? lines_text(1, done) + " inserted; " : std::string()) + doubtful +
         " may or may not be (the connection was lost while committing them); resend from line " +
         std::to_string(done + 1) + " (" + doubtful + " may then arrive twice)";
}

}  // namespace pgqpp::cli
