// LineReader (see line_reader.hpp): POSIX getline() reuses one buffer.
#include "line_reader.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace pgqpp::cli {

LineReader::~LineReader() { std::free(buffer_); }

bool LineReader::next(std::string_view& line) {
  errno = 0;
  ssize_t n = getline(&buffer_, &capacity_, file_);
  if (n < 0) {
    if (std::ferror(file_))
      throw std::runtime_error(std::string("cannot read input: ") + std::strerror(errno));
    return false;
  }
  if (n > 0 && buffer_[n - 1] == '\n') --n;
  line = std::string_view(buffer_, static_cast<std::size_t>(n));
  ++number_;
  return true;
}

}  // namespace pgqpp::cli
