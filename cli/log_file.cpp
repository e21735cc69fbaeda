// SPDX-License-Identifier: PostgreSQL
// last_line and file_contains (see log_file.hpp).
#include "log_file.hpp"

#include <fstream>

namespace pgqpp::cli {

std::string last_line(const std::string& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last.empty() ? "no output" : last;
}

bool file_contains(const std::string& file, const std::string& text) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace pgqpp::cli
