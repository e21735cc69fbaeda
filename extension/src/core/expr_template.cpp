// SPDX-License-Identifier: PostgreSQL
// Trigger expressions as parameterized queries: see expr_template.hpp.
#include "core/expr_template.hpp"

#include <algorithm>

namespace pgqpp::ext::core {

namespace {

bool word_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool word_char(char c) { return word_start(c) || (c >= '0' && c <= '9') || c == '$'; }

bool digit(char c) { return c >= '0' && c <= '9'; }

bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string lower_ascii(std::string_view word) {
  std::string out(word);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Scanner {
 public:
  Scanner(std::string_view expr, const std::vector<std::string>& columns)
      : s_(expr), columns_(columns) {}

  ExprTemplate run() {
    out_.sql = "select ";
    while (i_ < s_.size()) step();
    return std::move(out_);
  }

 private:
  void step() {
    char c = s_[i_];
    if (c == '-' && peek(1) == '-') return copy_until_line_end();
    if (c == '/' && peek(1) == '*') return copy_block_comment();
    if (c == '\'') return copy_string(false);
    if (c == '"') return quoted_identifier();
    if (c == '$') return dollar();
    if (digit(c)) return copy_number();
    if (word_start(c)) return word();
    copy(1);
  }

  char peek(std::size_t ahead) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }

  void copy(std::size_t n) {
    out_.sql.append(s_.substr(i_, n));
    i_ += n;
  }

  [[noreturn]] void fail(const char* what) const {
    throw ExprSyntaxError(std::string("unterminated ") + what + " in \"" + std::string(s_) + "\"");
  }

  void copy_until_line_end() {
    std::size_t end = s_.find('\n', i_);
    copy((end == std::string_view::npos ? s_.size() : end) - i_);
  }

  void copy_block_comment() {  // nested, as PostgreSQL's are
    std::size_t j = i_ + 2;
    int depth = 1;
    while (depth > 0) {
      if (j + 1 >= s_.size()) fail("comment");
      if (s_[j] == '/' && s_[j + 1] == '*') {
        ++depth;
        j += 2;
      } else if (s_[j] == '*' && s_[j + 1] == '/') {
        --depth;
        j += 2;
      } else {
        ++j;
      }
    }
    copy(j - i_);
  }

  // A '...' constant; with backslash escapes when it follows E.
  void copy_string(bool backslashes) {
    std::size_t j = i_ + 1;
    for (;;) {
      if (j >= s_.size()) fail("string constant");
      if (backslashes && s_[j] == '\\') {
        j += 2;
      } else if (s_[j] == '\'') {
        if (j + 1 < s_.size() && s_[j + 1] == '\'') {
          j += 2;
        } else {
          break;
        }
      } else {
        ++j;
      }
    }
    copy(j + 1 - i_);
  }

  void quoted_identifier() {
    std::string name;
    std::size_t j = i_ + 1;
    for (;;) {
      if (j >= s_.size()) fail("quoted identifier");
      if (s_[j] == '"') {
        if (j + 1 < s_.size() && s_[j + 1] == '"') {
          name += '"';
          j += 2;
          continue;
        }
        break;
      }
      name += s_[j++];
    }
    std::size_t length = j + 1 - i_;
    int column = reference_allowed(i_, i_ + length) ? find_column(name) : -1;
    if (column >= 0) {
      parameter(column);
      i_ += length;
    } else {
      copy(length);
    }
  }

  // $1 (kept), $tag$...$tag$ or $$...$$ (copied whole), or a lone '$'.
  void dollar() {
    if (digit(peek(1))) {
      std::size_t j = i_ + 1;
      while (j < s_.size() && digit(s_[j])) ++j;
      return copy(j - i_);
    }
    std::size_t j = i_ + 1;
    if (j < s_.size() && word_start(s_[j])) {
      while (j < s_.size() && word_char(s_[j]) && s_[j] != '$') ++j;
    }
    if (j >= s_.size() || s_[j] != '$') return copy(1);
    std::string_view tag = s_.substr(i_, j + 1 - i_);
    std::size_t close = s_.find(tag, j + 1);
    if (close == std::string_view::npos) fail("dollar-quoted string");
    copy(close + tag.size() - i_);
  }

  void copy_number() {
    std::size_t j = i_;
    while (j < s_.size() && (word_char(s_[j]) || s_[j] == '.')) {
      // An exponent sign belongs to the number: 1e-5.
      if ((s_[j] == 'e' || s_[j] == 'E') && j + 1 < s_.size() &&
          (s_[j + 1] == '+' || s_[j + 1] == '-'))
        ++j;
      ++j;
    }
    copy(j - i_);
  }

  void word() {
    std::size_t j = i_;
    while (j < s_.size() && word_char(s_[j])) ++j;
    std::string_view w = s_.substr(i_, j - i_);
    if ((w == "E" || w == "e") && j < s_.size() && s_[j] == '\'') {
      copy(1);
      return copy_string(true);
    }
    int column = -1;
    if (reference_allowed(i_, j)) {
      column = find_column(lower_ascii(w));
      if (column < 0) column = find_column(w);
    }
    if (column >= 0) {
      parameter(column);
      i_ = j;
    } else {
      copy(j - i_);
    }
  }

  // Whether the token at [begin, end) may be a column reference: not a
  // part of a qualified name, not a type after "::", not a function name.
  bool reference_allowed(std::size_t begin, std::size_t end) const {
    std::size_t b = begin;
    while (b > 0 && space(s_[b - 1])) --b;
    if (b > 0 && (s_[b - 1] == '.' || s_[b - 1] == ':')) return false;
    std::size_t e = end;
    while (e < s_.size() && space(s_[e])) ++e;
    return !(e < s_.size() && (s_[e] == '.' || s_[e] == '('));
  }

  int find_column(std::string_view name) const {
    if (name.empty()) return -1;
    auto it = std::find(columns_.begin(), columns_.end(), name);
    return it == columns_.end() ? -1 : static_cast<int>(it - columns_.begin());
  }

  void parameter(int column) {
    auto it = std::find(out_.params.begin(), out_.params.end(), column);
    std::size_t n = static_cast<std::size_t>(it - out_.params.begin());
    if (it == out_.params.end()) out_.params.push_back(column);
    out_.sql += "$" + std::to_string(n + 1);
  }

  std::string_view s_;
  const std::vector<std::string>& columns_;
  std::size_t i_ = 0;
  ExprTemplate out_;
};

}  // namespace

ExprTemplate expression_template(std::string_view expr, const std::vector<std::string>& columns) {
  return Scanner(expr, columns).run();
}

}  // namespace pgqpp::ext::core
